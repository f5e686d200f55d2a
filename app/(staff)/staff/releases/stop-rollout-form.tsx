"use client";
// Stopping a running fleet rollout, with the reason for the audit log.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";

export function StopRolloutForm({ rolloutId, label }: { rolloutId: string; label: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const stop = useMutation(trpc.staff.stopRollout.mutationOptions());

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      await stop.mutateAsync({ rolloutId, reason });
      router.refresh();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }

  return (
    <form onSubmit={submit} aria-label={`Stop the rollout to ${label}`} className="stack">
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason for stopping</label>
        <input id={`${id}-reason`} required value={reason} onChange={(event) => setReason(event.target.value)} />
      </div>
      <div>
        <button type="submit" className="button" disabled={stop.isPending}>
          {stop.isPending ? "Working…" : "Stop the rollout"}
        </button>
      </div>
      {error ? <p role="alert" className="error">Refused: {error}</p> : null}
    </form>
  );
}
