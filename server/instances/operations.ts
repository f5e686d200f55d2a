// Starting operations on an instance: one unfinished operation per instance, enforced by a unique index.
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceOperations, type OperationInitiator, type OperationKind, type RolloutKind } from "@/db/schema";
import { enqueueJob } from "@/server/queue/enqueue";
import { OPERATION_JOB } from "@/server/queue/payloads";

/** How many times graphile-worker runs an operation's job before the operation fails for good. */
const OPERATION_MAX_ATTEMPTS = 6;

/** The graphile-worker job key of an operation's job: repeats de-duplicate, and staff can find the job. */
export function operationJobKey(operationId: string) {
  return `operation:${operationId}`;
}

export class OperationInProgressError extends Error {
  constructor(readonly kind: OperationKind) {
    super(`A ${kind} operation is still in progress on this instance. Wait for it to finish or cancel it first.`);
  }
}

export function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return (error as { code?: string }).code === "23505" || cause?.code === "23505";
}

/**
 * Records an operation and queues its job (jobKey = operation id, so a repeat add is a no-op). Call it in
 * the transaction that decided the operation is needed. Throws OperationInProgressError when another one
 * is unfinished. `initiator` is required: it decides who may cancel the operation (operation-cancelling.ts).
 */
export async function startOperation(
  q: Queryable,
  input: {
    instanceId: string;
    kind: OperationKind;
    initiator: OperationInitiator;
    requestedBy?: string | null;
    reason?: string | null;
    /** A restore's source backup. */
    backupId?: string | null;
    /** A redeploy's rollout (default full). */
    rollout?: RolloutKind | null;
  },
) {
  const active = await activeOperation(q, input.instanceId);
  if (active) throw new OperationInProgressError(active.kind);
  let operation;
  try {
    // A savepoint, so that losing the race to the unique index does not abort the caller's transaction.
    operation = await q.transaction(async (tx) => {
      const [row] = await tx
        .insert(instanceOperations)
        .values({
          instanceId: input.instanceId,
          kind: input.kind,
          initiator: input.initiator,
          requestedBy: input.requestedBy ?? null,
          reason: input.reason ?? null,
          backupId: input.backupId ?? null,
          rollout: input.rollout ?? null,
        })
        .returning();
      return row!;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const winner = await activeOperation(q, input.instanceId);
      throw new OperationInProgressError(winner?.kind ?? input.kind);
    }
    throw error;
  }
  await enqueueOperationJob(q, operation);
  return operation;
}

export async function enqueueOperationJob(q: Queryable, operation: { id: string; kind: OperationKind }) {
  await enqueueJob(q, OPERATION_JOB[operation.kind], { operationId: operation.id }, {
    jobKey: operationJobKey(operation.id),
    maxAttempts: OPERATION_MAX_ATTEMPTS,
  });
}

export async function activeOperation(q: Queryable, instanceId: string) {
  const [row] = await q
    .select()
    .from(instanceOperations)
    .where(and(eq(instanceOperations.instanceId, instanceId), inArray(instanceOperations.status, ["queued", "running"])))
    .limit(1);
  return row ?? null;
}

export async function latestOperation(q: Queryable, instanceId: string) {
  const [row] = await q
    .select()
    .from(instanceOperations)
    .where(eq(instanceOperations.instanceId, instanceId))
    .orderBy(desc(instanceOperations.createdAt))
    .limit(1);
  return row ?? null;
}
