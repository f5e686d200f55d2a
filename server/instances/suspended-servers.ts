// A suspended instance keeps its servers for a few days (SUSPENDED_SERVERS_STOP_AFTER_DAYS), then they stop (OVH:
// shelved) until it resumes: the sweep below runs the suspend pipeline again, whose last step stops them.
import { and, eq, isNotNull, isNull, lte } from "drizzle-orm";
import type { Queryable } from "@/db";
import { deployments, instances, type Instance } from "@/db/schema";
import { OperationInProgressError, startOperation } from "./operations";

const DAY_MS = 24 * 60 * 60 * 1000;

/** Whether the instance has shown the maintenance page for longer than the grace. */
export function suspendedPastGrace(instance: Pick<Instance, "maintenancePageSince">, graceDays: number, now: Date) {
  return !!instance.maintenancePageSince && instance.maintenancePageSince.getTime() <= now.getTime() - graceDays * DAY_MS;
}

/**
 * Starts a suspend operation for each instance suspended past the grace whose active server still runs. A busy
 * instance is left for the next run (`deferred`).
 */
export async function stopServersOfLongSuspendedInstances(q: Queryable, graceDays: number, now: Date) {
  const due = await q
    .select({ instanceId: instances.id })
    .from(instances)
    .innerJoin(deployments, eq(deployments.id, instances.activeDeploymentId))
    .where(
      and(
        eq(instances.status, "suspended"),
        lte(instances.maintenancePageSince, new Date(now.getTime() - graceDays * DAY_MS)),
        isNotNull(deployments.serverId),
        isNull(deployments.serverStoppedAt),
      ),
    );
  const started: string[] = [];
  const deferred: string[] = [];
  for (const { instanceId } of due) {
    try {
      await startOperation(q, { instanceId, kind: "suspend", initiator: "system", reason: `servers stopped after ${graceDays} day(s) suspended` });
      started.push(instanceId);
    } catch (error) {
      if (!(error instanceof OperationInProgressError)) throw error;
      deferred.push(instanceId);
    }
  }
  return { started, deferred };
}
