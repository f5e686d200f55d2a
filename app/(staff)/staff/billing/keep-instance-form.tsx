"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Field } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";

/** Staff call off the deprovisioning scheduled after a cancellation; the instance stays suspended. */
export function KeepInstanceForm({ instanceId }: { instanceId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [reason, setReason] = useState("");
  const keep = useMutation(trpc.staffBilling.keepInstance.mutationOptions({ onSuccess: () => router.refresh() }));
  const fieldErrors = (keep.error?.data as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors;
  return (
    <form
      className="card stack"
      onSubmit={(event) => {
        event.preventDefault();
        keep.mutate({ instanceId, reason });
      }}
    >
      <Field
        label="Why keep this instance?"
        name="keep-reason"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        error={fieldErrors?.reason ?? (fieldErrors ? null : keep.error?.message)}
      />
      <button type="submit" className="button button-secondary" disabled={keep.isPending}>
        Cancel the scheduled deprovisioning
      </button>
    </form>
  );
}
