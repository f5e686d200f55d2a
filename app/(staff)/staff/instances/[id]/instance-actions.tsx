"use client";
// The staff actions on one instance that exist today. Each goes through the audited actions framework
// (server/staff/actions); see its index.ts for the ones still to be wired (retry, redeploy, suspend, …).
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";
import type { OperationKind, OperationStatus } from "@/db/schema";
import { StaffActionForm } from "../../_components/staff-action-form";

type ActiveOperation = { id: string; kind: OperationKind; status: OperationStatus; cancelRequestedAt: Date | null };

export function InstanceActions({ activeOperation }: { activeOperation: ActiveOperation | null }) {
  const trpc = useTRPC();
  const cancel = useMutation(trpc.staff.cancelOperation.mutationOptions());
  return (
    <section className="card stack" aria-labelledby="actions-heading">
      <h2 id="actions-heading" className="mt-0">
        Actions
      </h2>
      {activeOperation ? (
        <StaffActionForm
          title="Cancel the running operation"
          description={
            activeOperation.cancelRequestedAt
              ? `Cancellation of this ${activeOperation.kind} was requested; the worker stops it at its next check.`
              : `A ${activeOperation.kind} is ${activeOperation.status}. Cancelling aborts the current step and ends the operation as cancelled; what it created stays in the ledger.`
          }
          submitLabel="Cancel operation"
          perform={({ reason }) => cancel.mutateAsync({ operationId: activeOperation.id, reason })}
        />
      ) : (
        <p>No operation is running on this instance, so there is nothing to cancel.</p>
      )}
    </section>
  );
}
