"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/app/_trpc/client";

export function PayButton({ instanceId, label }: { instanceId: string; label: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pay = useMutation(
    trpc.billing.payLocalCheckout.mutationOptions({ onSuccess: () => router.push(`/instances/${instanceId}`) }),
  );
  return (
    <div className="stack">
      <button type="button" className="button" disabled={pay.isPending || pay.isSuccess} onClick={() => pay.mutate({ id: instanceId })}>
        {label}
      </button>
      {pay.error ? (
        <p className="error" role="alert">
          {pay.error.message}
        </p>
      ) : null}
    </div>
  );
}
