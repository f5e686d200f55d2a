// The instance state machine: one table of allowed moves and one function that applies it.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances, type InstanceStatus } from "@/db/schema";
import { appendInstanceEvent } from "./events";

const TRANSITIONS: Record<InstanceStatus, readonly InstanceStatus[]> = {
  draft: ["awaiting_payment"],
  awaiting_payment: ["queued", "draft"],
  queued: ["provisioning", "failed"],
  provisioning: ["running", "failed"],
  failed: ["queued", "deprovisioning"],
  running: ["suspended", "deprovisioning"],
  suspended: ["running", "deprovisioning"],
  deprovisioning: ["deprovisioned", "failed"],
  // Staff restore a deleted instance from its final backup (jobs/pipelines/restore.ts).
  deprovisioned: ["provisioning"],
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: InstanceStatus,
    readonly to: InstanceStatus,
  ) {
    super(`An instance that is ${from.replace("_", " ")} cannot become ${to.replace("_", " ")}.`);
  }
}

export function canTransition(from: InstanceStatus, to: InstanceStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * Moves an instance to `to` (locking its row), records a status_changed event, and returns the updated row.
 * Throws IllegalTransitionError for a move the table does not allow.
 */
export async function transitionInstance(
  q: Queryable,
  instanceId: string,
  to: InstanceStatus,
  options: { message: string; operationId?: string | null; data?: Record<string, unknown> },
) {
  const [current] = await q.select().from(instances).where(eq(instances.id, instanceId)).for("update");
  if (!current) throw new Error(`Instance ${instanceId} does not exist`);
  if (!canTransition(current.status, to)) throw new IllegalTransitionError(current.status, to);
  const [updated] = await q
    .update(instances)
    .set({ status: to, updatedAt: new Date() })
    .where(eq(instances.id, instanceId))
    .returning();
  await appendInstanceEvent(q, {
    instanceId,
    operationId: options.operationId ?? null,
    kind: "status_changed",
    level: to === "failed" ? "error" : to === "running" ? "success" : "info",
    message: options.message,
    data: { ...options.data, from: current.status, to },
  });
  return updated!;
}
