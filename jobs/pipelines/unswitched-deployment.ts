// After a failed operation that was bringing up a new deployment beside the serving one (a redeploy, a resume whose
// services server moved): the new one, if it never took the traffic, goes, so the serving one stays the only one.
import { eq } from "drizzle-orm";
import type { Transaction } from "@/db";
import { deployments, type Instance, type InstanceOperation } from "@/db/schema";
import { destroyDeploymentServer } from "@/server/deployments/retire";
import { deploymentLabel, setDeploymentStatus } from "@/server/deployments/status";
import { infra } from "@/server/infra";

/** Tears down the operation's deployment unless it serves; returns a sentence for the event log (empty: nothing to do). */
export async function tearDownUnswitchedDeployment(tx: Transaction, instance: Instance, operation: InstanceOperation, error: Error): Promise<string> {
  const [attempted] = await tx.select().from(deployments).where(eq(deployments.operationId, operation.id));
  // Once switched it is the one serving and stays; a failure after the switch is only about retiring the old one.
  if (!attempted || attempted.id === instance.activeDeploymentId || attempted.status === "terminated") return "";
  let outcome: string;
  let isTornDown = false;
  try {
    await destroyDeploymentServer(tx, infra().compute, attempted);
    isTornDown = true;
    outcome = ` ${deploymentLabel(attempted)} never went into service; its server was torn down.`;
  } catch (teardownError) {
    outcome = ` ${deploymentLabel(attempted)} never went into service; tearing its server down failed (${(teardownError as Error).message}), the daily clean-up retries.`;
  }
  // Where it stopped says what went wrong: no server (error), no heartbeat (configuration_failed); a healthy
  // one that never got the traffic is terminated once its server is gone (until then the daily job sees it).
  const failedStatus =
    attempted.status === "running" ? (isTornDown ? "terminated" : null) : ["new", "waiting_for_vm", "error"].includes(attempted.status) ? "error" : "configuration_failed";
  if (failedStatus) await setDeploymentStatus(tx, attempted.id, failedStatus, { operationId: operation.id, why: error.message });
  return outcome;
}
