// How a live instance takes new settings or a new plan: reconfigured in place where the compute driver can change a
// running server (local processes), redeployed where it cannot (an OVH VM reads its user-data once, at boot): a new
// deployment, rendered from the current settings and plan (its VM flavor too), boots beside the serving one and
// takes over once healthy.
import type { Queryable } from "@/db";
import type { OperationInitiator } from "@/db/schema";
import { appendInstanceEvent } from "./events";
import { startOperation } from "./operations";

export const REDEPLOY_INSTEAD = "this compute driver applies new settings by redeploying";

/** The configured compute driver; loaded on first use, so the web process carries the drivers only once someone applies changes. */
async function computeDriver() {
  const { infra } = await import("@/server/infra");
  return infra().compute;
}

/** Whether new settings reach a running instance by a redeploy rather than a reconfigure. */
export async function appliesChangesByRedeploying(): Promise<boolean> {
  return !(await computeDriver()).canReconfigureInPlace;
}

/**
 * Starts the operation that applies the instance's current settings and plan (refused with
 * OperationInProgressError while another runs), and says in the event log when that is a redeploy, and why.
 */
export async function startApplyingChanges(
  q: Queryable,
  input: { instanceId: string; initiator: OperationInitiator; requestedBy?: string | null; reason: string },
) {
  const compute = await computeDriver();
  const isRedeploy = !compute.canReconfigureInPlace;
  const operation = await startOperation(q, { ...input, kind: isRedeploy ? "redeploy" : "reconfigure" });
  if (isRedeploy) {
    await appendInstanceEvent(q, {
      instanceId: input.instanceId,
      operationId: operation.id,
      kind: "log",
      message: `Redeploying rather than reconfiguring: ${REDEPLOY_INSTEAD} (the ${compute.name} driver cannot change a running server). A new deployment boots with the new settings beside the current one, which keeps serving until the new one is healthy.`,
    });
  }
  return operation;
}
