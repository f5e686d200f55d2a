"use client";
// "Run now" (read-only, not audited) and "Clean up orphans" (an audited staff action) on the reconcile page.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/app/_trpc/client";
import { StaffActionForm } from "../_components/staff-action-form";

export function RunReconcileButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const run = useMutation(trpc.staff.runReconcile.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="stack">
      <div>
        <button type="button" className="button" disabled={run.isPending} onClick={() => run.mutate()}>
          {run.isPending ? "Queuing…" : "Run now"}
        </button>
      </div>
      {run.isSuccess ? <p role="status">Reconcile queued: the report below is replaced when it finishes.</p> : null}
      {run.error ? (
        <p className="error" role="alert">
          {run.error.message}
        </p>
      ) : null}
    </div>
  );
}

export function CleanUpOrphansForm({ reportId, count }: { reportId: string; count: number }) {
  const trpc = useTRPC();
  const cleanUp = useMutation(trpc.staff.cleanUpOrphans.mutationOptions());
  return (
    <StaffActionForm
      title="Clean up orphans"
      description={`Removes the ${count} orphan(s) listed above, and only those: each is checked again first (still there, still unowned, no operation under way on its instance).`}
      submitLabel="Clean up orphans"
      perform={({ reason }) => cleanUp.mutateAsync({ reportId, reason })}
    />
  );
}
