"use client";
// Retry a failed operation, cancel a running one, or redeploy a running instance (owner and staff). The page's live events show the outcome.
import { useMutation } from "@tanstack/react-query";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceStatus } from "@/db/schema";
import type { StepView } from "./timeline";

const CANCELLABLE: InstanceStatus[] = ["queued", "provisioning", "deprovisioning"];

export function OperationControls({ instanceId, status, failedStep }: { instanceId: string; status: InstanceStatus; failedStep: StepView | null }) {
  const trpc = useTRPC();
  const retry = useMutation(trpc.instances.retry.mutationOptions());
  const cancel = useMutation(trpc.instances.cancel.mutationOptions());
  const redeploy = useMutation(trpc.instances.redeploy.mutationOptions());

  if (status === "failed") {
    return (
      <div className="stack" data-testid="failure">
        {failedStep ? (
          <p className="level-error" role="alert">
            {failedStep.message}
          </p>
        ) : (
          <p className="level-error" role="alert">
            The last operation did not finish.
          </p>
        )}
        <div className="flex items-center gap-3">
          <button type="button" className="button" disabled={retry.isPending} onClick={() => retry.mutate({ id: instanceId })}>
            {retry.isPending ? "Retrying…" : "Retry"}
          </button>
          <span className="hint">Resumes at the step that failed; steps that finished are not repeated.</span>
        </div>
        <ErrorMessage>{retry.error?.message}</ErrorMessage>
      </div>
    );
  }

  if (CANCELLABLE.includes(status)) {
    const isRequested = cancel.isPending || cancel.isSuccess;
    return (
      <div className="stack">
        <div>
          <button
            type="button"
            className="button button-secondary"
            disabled={isRequested}
            onClick={() => cancel.mutate({ id: instanceId })}
          >
            {isRequested ? "Cancelling…" : "Cancel operation"}
          </button>
        </div>
        <ErrorMessage>{cancel.error?.message}</ErrorMessage>
      </div>
    );
  }
  if (status === "running") {
    return (
      <div className="stack">
        <div className="flex items-center gap-3">
          <button
            type="button"
            className="button button-secondary"
            disabled={redeploy.isPending}
            onClick={() => redeploy.mutate({ id: instanceId })}
          >
            {redeploy.isPending ? "Requesting…" : "Redeploy"}
          </button>
          <span className="hint">Boots a fresh server beside the current one; the site keeps serving until the new one answers.</span>
        </div>
        {redeploy.isSuccess ? <p role="status">Redeploy started: follow it in the log below.</p> : null}
        {redeploy.error ? (
          <p className="error" role="alert">
            {redeploy.error.message}
          </p>
        ) : null}
      </div>
    );
  }
  return null;
}
