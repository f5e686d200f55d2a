// A deployment's status changes here and nowhere else, so each change is also a line in the instance's log:
// new → waiting_for_vm → configuring → running | configuration_failed | error → terminated.
import { and, eq, ne } from "drizzle-orm";
import type { Queryable } from "@/db";
import { deploymentServers, deployments, type Deployment, type DeploymentStatus } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";

/** Short form used in messages: "Deployment 1a2b3c4d". */
export function deploymentLabel(deployment: Pick<Deployment, "id">) {
  return `Deployment ${deployment.id.slice(0, 8)}`;
}

const LEVEL: Record<DeploymentStatus, "info" | "success" | "warn" | "error"> = {
  new: "info",
  waiting_for_vm: "info",
  configuring: "info",
  running: "success",
  configuration_failed: "error",
  error: "error",
  terminated: "info",
};

/**
 * Moves the deployment to `to` (with any other columns that change with it) and appends the instance event
 * "Deployment 1a2b3c4d: configuring → running". Reads the current status under a row lock, so the event names
 * the real previous status; a move to the status it already has changes only the other columns, silently.
 */
export async function setDeploymentStatus(
  q: Queryable,
  deploymentId: string,
  to: DeploymentStatus,
  options: { operationId?: string | null; step?: string | null; why?: string; set?: Partial<Omit<Deployment, "id" | "status">> } = {},
): Promise<Deployment> {
  return q.transaction(async (tx) => {
    const [current] = await tx.select().from(deployments).where(eq(deployments.id, deploymentId)).for("update");
    if (!current) throw new Error(`deployment ${deploymentId} does not exist`);
    const extra = { ...options.set, ...(to === "terminated" && !current.terminatedAt ? { terminatedAt: new Date() } : {}) };
    const [updated] = await tx
      .update(deployments)
      .set({ status: to, ...extra })
      .where(eq(deployments.id, deploymentId))
      .returning();
    // A terminated deployment's servers are gone with it.
    if (to === "terminated") {
      await tx
        .update(deploymentServers)
        .set({ state: "removed", removedAt: new Date() })
        .where(and(eq(deploymentServers.deploymentId, deploymentId), ne(deploymentServers.state, "removed")));
    }
    if (current.status !== to) {
      await appendInstanceEvent(tx, {
        instanceId: current.instanceId,
        operationId: options.operationId ?? null,
        kind: "log",
        step: options.step ?? null,
        level: LEVEL[to],
        message: `${deploymentLabel(current)}: ${current.status} → ${to}${options.why ? ` (${options.why})` : ""}`,
        data: { deploymentId, from: current.status, to },
      });
    }
    return updated!;
  });
}
