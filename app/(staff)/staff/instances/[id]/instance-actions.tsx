"use client";
// The staff actions on one instance, shown when they apply to its state. Each goes through the audited
// actions framework (server/staff/actions).
import { useMutation } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceStatus, OperationKind, OperationStatus } from "@/db/schema";
import { StaffActionForm } from "../../_components/staff-action-form";

type ActiveOperation = { id: string; kind: OperationKind; status: OperationStatus; cancelRequestedAt: Date | null };
type Instance = { id: string; subdomain: string | null; status: InstanceStatus };

const DEPROVISIONABLE: InstanceStatus[] = ["running", "suspended", "failed"];

type AppServers = { count: number; override: number | null; planCount: number | null };

export function InstanceActions({ instance, activeOperation, appServers }: { instance: Instance; activeOperation: ActiveOperation | null; appServers: AppServers }) {
  const trpc = useTRPC();
  const cancel = useMutation(trpc.staff.cancelOperation.mutationOptions());
  const retry = useMutation(trpc.staff.retryOperation.mutationOptions());
  const deprovision = useMutation(trpc.staff.deprovision.mutationOptions());
  const suspend = useMutation(trpc.staff.suspend.mutationOptions());
  const resume = useMutation(trpc.staff.resume.mutationOptions());
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
      {instance.status === "failed" ? (
        <StaffActionForm
          title="Retry the failed operation"
          description="Re-opens the failed operation: the steps it finished are skipped and it resumes at the one that failed."
          submitLabel="Retry"
          perform={({ reason }) => retry.mutateAsync({ instanceId: instance.id, reason })}
        />
      ) : null}
      {instance.status === "running" && !activeOperation ? (
        <StaffActionForm
          title="Suspend the instance"
          description="Visitors get the maintenance page; servers, databases and files are kept. The owner is told."
          submitLabel="Suspend"
          perform={({ reason }) => suspend.mutateAsync({ instanceId: instance.id, reason })}
        />
      ) : null}
      {instance.status === "running" && !activeOperation ? (
        <RedeployForm instanceId={instance.id} />
      ) : null}
      {DEPROVISIONABLE.includes(instance.status) ? <AppServersForm instanceId={instance.id} appServers={appServers} /> : null}
      {instance.status === "suspended" && !activeOperation ? (
        <StaffActionForm
          title="Resume the instance"
          description="Serves the site again. An instance billing suspended (unpaid, cancelled) resumes through billing instead."
          submitLabel="Resume"
          perform={({ reason }) => resume.mutateAsync({ instanceId: instance.id, reason })}
        />
      ) : null}
      {instance.subdomain && DEPROVISIONABLE.includes(instance.status) ? (
        <StaffActionForm
          title="Deprovision the instance"
          description="Stops its servers and deletes its bucket, keys, vhost, databases and users with all their data. This cannot be undone."
          submitLabel="Deprovision instance"
          confirmText={instance.subdomain}
          perform={({ reason, confirm }) => deprovision.mutateAsync({ instanceId: instance.id, confirm, reason })}
        />
      ) : null}
    </section>
  );
}

/** Redeploy, with the rollout staff choose: every new server before the switch, or all but one (faster). */
function RedeployForm({ instanceId }: { instanceId: string }) {
  const trpc = useTRPC();
  const redeploy = useMutation(trpc.staff.redeploy.mutationOptions());
  const id = useId();
  const [rollout, setRollout] = useState<"full" | "fast">("full");
  return (
    <StaffActionForm
      title="Redeploy the instance"
      description="Boots a new deployment beside the current one and switches traffic once it answers /heartbeat; the old one is kept as fallback. If the new one never becomes healthy it is torn down and the old one keeps serving. The owner is told."
      submitLabel="Redeploy"
      perform={({ reason }) => redeploy.mutateAsync({ instanceId, reason, rollout })}
    >
      <div className="field">
        <label htmlFor={`${id}-rollout`}>Rollout</label>
        <select id={`${id}-rollout`} name="rollout" value={rollout} onChange={(event) => setRollout(event.target.value === "fast" ? "fast" : "full")}>
          <option value="full">Full: switch once every new server answers (never fewer healthy servers than now)</option>
          <option value="fast">Fast: switch once all but one answer (never fewer than N-1)</option>
        </select>
      </div>
    </StaffActionForm>
  );
}

/** How many application servers: a number, or empty for the plan's. */
function AppServersForm({ instanceId, appServers }: { instanceId: string; appServers: AppServers }) {
  const trpc = useTRPC();
  const setAppServers = useMutation(trpc.staff.setAppServers.mutationOptions());
  const id = useId();
  const [count, setCount] = useState(appServers.override === null ? "" : String(appServers.override));
  return (
    <StaffActionForm
      title="Set the number of application servers"
      description={`Runs ${appServers.count} now (${appServers.override === null ? "the plan's number" : `override; the plan has ${appServers.planCount ?? "?"}`}). The new number applies from the next deployment: redeploy to bring it up.`}
      submitLabel="Set servers"
      perform={({ reason }) => setAppServers.mutateAsync({ instanceId, appServers: count.trim() === "" ? null : Number(count), reason })}
    >
      <div className="field">
        <label htmlFor={`${id}-count`}>Servers (empty: the plan&apos;s number)</label>
        <input id={`${id}-count`} name="appServers" type="number" min={1} max={10} value={count} onChange={(event) => setCount(event.target.value)} />
      </div>
    </StaffActionForm>
  );
}
