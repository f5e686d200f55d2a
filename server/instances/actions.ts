// What people can do to an instance's operations: retry a failed one, cancel a running one, deprovision.
// Service functions, called by the tRPC procedures after they have authorised the caller (so they can be
// wrapped with an audit trail later). Each runs in one transaction that locks the instance row.
import { and, desc, eq } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { instanceOperations, instances, operationSteps, type InstanceStatus, type OperationInitiator, type OperationKind, type RolloutKind, type User } from "@/db/schema";
import { isStaff } from "@/server/auth/roles";
import { runJobNow } from "@/server/queue/enqueue";
import { appendInstanceEvent } from "./events";
import { canTransition, transitionInstance } from "./lifecycle";
import { assertCancellableFromInstancePage } from "./operation-cancelling";
import {
  activeOperation,
  enqueueOperationJob,
  isUniqueViolation,
  latestOperation,
  operationJobKey,
  OperationInProgressError,
  startOperation,
} from "./operations";

/** A request that cannot be honoured as it stands; the message tells the person what to do instead. */
export class InstanceActionRefusedError extends Error {}

type Actor = Pick<User, "id" | "role">;

/** Where a retried operation puts the instance before the worker picks it up (failed → …). */
const STATUS_WHEN_RETRIED: Partial<Record<OperationKind, InstanceStatus>> = {
  provision: "queued",
  deprovision: "deprovisioning",
  // A restore that was bringing a deleted instance back starts over as it did: queued → provisioning.
  restore: "queued",
};

function byWhom(actor: Actor) {
  return isStaff(actor) ? "Lyceum staff" : "the owner";
}

/** A person's operation is marked as theirs: staff's are staff's, anyone else's the owner's. */
function initiatorOf(actor: Actor): OperationInitiator {
  return isStaff(actor) ? "staff" : "owner";
}

async function lockedInstance(q: Queryable, instanceId: string) {
  const [instance] = await q.select().from(instances).where(eq(instances.id, instanceId)).for("update");
  if (!instance) throw new InstanceActionRefusedError("No such instance.");
  return instance;
}

/**
 * Re-opens the instance's failed (or cancelled) operation: its finished steps stay finished, so the pipeline
 * resumes at the step that failed. The instance goes failed → queued (→ provisioning when the worker starts).
 */
/**
 * Re-opens the failed operation and queues its job. `actor` is the person who pressed Retry, or "sweep" when
 * Lyceum retries on its own (a failed deprovision, jobs/failed-deprovisions.ts); the event records which.
 */
export async function retryOperation(input: { instanceId: string; actor: Actor | "sweep" }, q: Queryable = db) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    if (instance.status !== "failed") throw new InstanceActionRefusedError("Only a failed instance can be retried.");
    const active = await activeOperation(tx, instance.id);
    if (active) throw new OperationInProgressError(active.kind);
    const operation = await latestOperation(tx, instance.id);
    if (!operation || (operation.status !== "failed" && operation.status !== "cancelled")) {
      throw new InstanceActionRefusedError("There is no failed operation to retry.");
    }
    const [failedStep] = await tx
      .select({ step: operationSteps.step })
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, operation.id), eq(operationSteps.status, "failed")))
      .orderBy(desc(operationSteps.startedAt))
      .limit(1);
    try {
      await tx.transaction(async (savepoint) => {
        await savepoint
          .update(instanceOperations)
          .set({ status: "queued", error: null, finishedAt: null, cancelRequestedAt: null })
          .where(eq(instanceOperations.id, operation.id));
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new OperationInProgressError(operation.kind);
      throw error;
    }
    const resumesAt = failedStep ? `resumes at step ${failedStep.step}` : "resumes where it stopped";
    const isSweep = input.actor === "sweep";
    const message = isSweep
      ? `Retried automatically: the ${operation.kind} ${resumesAt}.`
      : `Retry requested by ${byWhom(input.actor as Actor)}: the ${operation.kind} ${resumesAt}.`;
    const data = { retriedBy: isSweep ? "sweep" : "person" };
    const next = STATUS_WHEN_RETRIED[operation.kind];
    if (next) await transitionInstance(tx, instance.id, next, { message, operationId: operation.id, data });
    else await appendInstanceEvent(tx, { instanceId: instance.id, operationId: operation.id, kind: "log", message, data });
    await enqueueOperationJob(tx, operation);
    return { operationId: operation.id, resumesAt: failedStep?.step ?? null };
  });
}

/**
 * Asks the running operation to stop: the worker aborts the current step within about a second and the
 * operation ends `cancelled` (a queued one ends at once when its job runs, which is made to happen now).
 * Only an operation the owner started: billing's, staff's and Lyceum's own are refused (operation-cancelling.ts).
 */
export async function cancelOperation(input: { instanceId: string; actor: Actor }, q: Queryable = db) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    const operation = await activeOperation(tx, instance.id);
    if (!operation) throw new InstanceActionRefusedError("Nothing is running on this instance.");
    assertCancellableFromInstancePage(operation, input.actor);
    if (operation.cancelRequestedAt) return { operationId: operation.id };
    await tx.update(instanceOperations).set({ cancelRequestedAt: new Date() }).where(eq(instanceOperations.id, operation.id));
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "warn",
      message: `Cancellation requested by ${byWhom(input.actor)}: the ${operation.kind} stops at the current step.`,
    });
    await runJobNow(tx, operationJobKey(operation.id));
    return { operationId: operation.id };
  });
}

/** Starts tearing the instance down; `confirmation` must repeat its subdomain. Staff only (checked by the caller). */
export async function requestDeprovision(
  input: { instanceId: string; actor: Actor; confirmation: string; reason?: string | null },
  q: Queryable = db,
) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    if (!instance.subdomain || input.confirmation.trim().toLowerCase() !== instance.subdomain.toLowerCase()) {
      throw new InstanceActionRefusedError(`Type the subdomain "${instance.subdomain}" to confirm.`);
    }
    if (!canTransition(instance.status, "deprovisioning")) {
      throw new InstanceActionRefusedError(`An instance that is ${instance.status.replace("_", " ")} cannot be deprovisioned.`);
    }
    const active = await activeOperation(tx, instance.id);
    if (active) throw new OperationInProgressError(active.kind);
    await transitionInstance(tx, instance.id, "deprovisioning", {
      message: `Deprovisioning requested by ${byWhom(input.actor)}: every resource of the instance will be removed.`,
    });
    const operation = await startOperation(tx, {
      instanceId: instance.id,
      kind: "deprovision",
      initiator: initiatorOf(input.actor),
      requestedBy: input.actor.id,
      reason: input.reason ?? null,
    });
    return { operationId: operation.id };
  });
}

/**
 * Boots a new deployment of a running instance beside the one serving it, and switches to it once it is
 * healthy (jobs/pipelines/redeploy.ts). The owner (after an upgrade, say) or staff may ask.
 */
export async function requestRedeploy(input: { instanceId: string; actor: Actor; reason?: string | null; rollout?: RolloutKind }, q: Queryable = db) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    if (instance.status !== "running") {
      throw new InstanceActionRefusedError(`Only a running instance can be redeployed; this one is ${instance.status.replace("_", " ")}.`);
    }
    const operation = await startOperation(tx, {
      instanceId: instance.id,
      kind: "redeploy",
      initiator: initiatorOf(input.actor),
      requestedBy: input.actor.id,
      reason: input.reason ?? null,
      rollout: input.rollout ?? null,
    });
    const until = input.rollout === "fast" ? "all but one of its servers answer (fast rollout)" : "the new one is healthy";
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      message: `Redeploy requested by ${byWhom(input.actor)}: a new deployment boots beside the current one, which keeps serving until ${until}.`,
    });
    return { operationId: operation.id };
  });
}
