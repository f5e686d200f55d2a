// The minutely health sweep over every serving instance's application servers: each one's /heartbeat is asked,
// its state recorded, and one that has failed longer than APP_SERVER_REPLACE_AFTER_SECONDS gets a replace_server
// operation (unless another operation runs on the instance: it is asked again next minute). HAProxy takes a dead
// server out of rotation within seconds on its own checks; this sweep is what gets a new one in its place.
import { and, eq, inArray, isNotNull, ne } from "drizzle-orm";
import type { Database } from "@/db";
import { deploymentServers, deployments, instances } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { OperationInProgressError, startOperation } from "@/server/instances/operations";
import { appServerLabel, probeHeartbeat, recordAppServerCheck } from "./app-servers";

type AppServerSweep = { checked: number; failing: number; replacementsStarted: string[]; deferred: string[] };

export async function checkAppServers(db: Database, options: { replaceAfterSeconds: number; now?: Date; signal?: AbortSignal }): Promise<AppServerSweep> {
  const now = options.now ?? new Date();
  const signal = options.signal ?? new AbortController().signal;
  const rows = await db
    .select({ server: deploymentServers })
    .from(deploymentServers)
    .innerJoin(deployments, eq(deployments.id, deploymentServers.deploymentId))
    .innerJoin(instances, eq(instances.activeDeploymentId, deployments.id))
    .where(
      and(
        eq(instances.status, "running"),
        eq(deployments.status, "running"),
        inArray(deploymentServers.state, ["healthy", "failing"]),
        isNotNull(deploymentServers.address),
        ne(deploymentServers.state, "removed"),
      ),
    );
  const sweep: AppServerSweep = { checked: 0, failing: 0, replacementsStarted: [], deferred: [] };
  const overdueByInstance = new Map<string, string[]>();
  for (const { server } of rows) {
    const { isHealthy, problem } = await probeHeartbeat(server.address!, signal);
    const checked = await recordAppServerCheck(db, server, isHealthy, { now, why: problem ?? undefined });
    sweep.checked += 1;
    if (checked.state !== "failing") continue;
    sweep.failing += 1;
    const failingForSeconds = (now.getTime() - checked.failingSince!.getTime()) / 1000;
    if (failingForSeconds >= options.replaceAfterSeconds) {
      const label = `${appServerLabel(checked)} has failed its health checks for ${Math.round(failingForSeconds)} s`;
      overdueByInstance.set(server.instanceId, [...(overdueByInstance.get(server.instanceId) ?? []), label]);
    }
  }
  for (const [instanceId, labels] of overdueByInstance) {
    try {
      await db.transaction(async (tx) => {
        const reason = `${labels.join("; ")}: replacing it`;
        const operation = await startOperation(tx, { instanceId, kind: "replace_server", initiator: "system", reason });
        await appendInstanceEvent(tx, { instanceId, operationId: operation.id, kind: "log", level: "warn", message: `Lyceum: ${reason}.` });
      });
      sweep.replacementsStarted.push(instanceId);
    } catch (error) {
      if (!(error instanceof OperationInProgressError)) throw error;
      sweep.deferred.push(instanceId);
    }
  }
  return sweep;
}
