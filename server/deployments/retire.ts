// Taking deployments out of the fleet: destroying one deployment's server, and pruning an instance down to its
// active deployment and one fallback (after a redeploy, and daily for the whole fleet).
import { and, desc, eq, inArray, isNull, ne } from "drizzle-orm";
import type { Database, Queryable } from "@/db";
import { deployments, instanceResources, instances, type Deployment, type DeploymentStatus } from "@/db/schema";
import type { ComputeDriver } from "@/server/infra/compute/driver";
import { ledgerFor } from "@/server/instances/ledger";
import { deploymentLabel, setDeploymentStatus } from "./status";

/**
 * Destroys the deployment's server (a server already gone is fine) and marks its ledger entries deleted.
 * Returns whether a server was up. Refuses a server recorded under another compute driver than the one
 * configured: destroying it through the wrong API would silently leave it running.
 */
export async function destroyDeploymentServer(db: Queryable, compute: ComputeDriver, deployment: Deployment): Promise<{ existed: boolean }> {
  const recorded = await ledgerFor(db, deployment.instanceId).list("compute.server");
  const entries = recorded.filter((entry) => entry.details.deploymentId === deployment.id || entry.externalId === deployment.serverId);
  const serverIds = new Set([...entries.map((entry) => entry.externalId), ...(deployment.serverId ? [deployment.serverId] : [])]);
  if (serverIds.size === 0) return { existed: false };
  if (deployment.computeDriver !== compute.name) {
    throw new Error(`${deploymentLabel(deployment)} runs on the ${deployment.computeDriver} compute driver, but ${compute.name} is configured`);
  }
  const up = new Set((await compute.listServers()).map((server) => server.serverId));
  let existed = false;
  for (const serverId of serverIds) {
    existed ||= up.has(serverId);
    await compute.destroyServer(serverId);
  }
  await db
    .update(instanceResources)
    .set({ deletedAt: new Date() })
    .where(
      and(
        eq(instanceResources.instanceId, deployment.instanceId),
        // The plan's size recorded against a server (jobs/steps/plan.ts) goes with the server.
        inArray(instanceResources.kind, ["compute.server", "compute.flavor"]),
        inArray(instanceResources.externalId, [...serverIds]),
        isNull(instanceResources.deletedAt),
      ),
    );
  return { existed };
}

/** Healthy once: a fallback must be a deployment that answered /heartbeat and still has its server. */
const FALLBACK_STATUSES: DeploymentStatus[] = ["running"];

/**
 * Keeps the instance's active deployment and the most recent other running one (the fallback); destroys the
 * servers of all others and marks them terminated. Deployments an unfinished operation is bringing up are
 * left alone (that operation decides their fate). Returns what it terminated.
 */
export async function terminateObsoleteDeployments(
  db: Database,
  compute: ComputeDriver,
  instanceId: string,
  options: { operationId?: string | null; step?: string | null } = {},
): Promise<{ kept: Deployment[]; terminated: Deployment[]; failed: { deployment: Deployment; error: string }[] }> {
  const instance = await db.query.instances.findFirst({ where: eq(instances.id, instanceId) });
  if (!instance) return { kept: [], terminated: [], failed: [] };
  const live = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.instanceId, instanceId), ne(deployments.status, "terminated")))
    .orderBy(desc(deployments.createdAt), desc(deployments.id));
  const busyOperationIds = new Set(
    (
      await db.query.instanceOperations.findMany({
        columns: { id: true },
        where: (t, { and: both, eq: equals, inArray: among }) => both(equals(t.instanceId, instanceId), among(t.status, ["queued", "running"])),
      })
    ).map((operation) => operation.id),
  );
  const active = live.find((deployment) => deployment.id === instance.activeDeploymentId);
  const fallback = live.find((deployment) => deployment.id !== active?.id && FALLBACK_STATUSES.includes(deployment.status));
  const inProgress = live.filter((deployment) => deployment.operationId && busyOperationIds.has(deployment.operationId));
  const kept = [active, fallback, ...inProgress].filter((deployment): deployment is Deployment => Boolean(deployment));
  const keptIds = new Set(kept.map((deployment) => deployment.id));
  const terminated: Deployment[] = [];
  const failed: { deployment: Deployment; error: string }[] = [];
  for (const deployment of live.filter((candidate) => !keptIds.has(candidate.id))) {
    try {
      await destroyDeploymentServer(db, compute, deployment);
      terminated.push(
        await setDeploymentStatus(db, deployment.id, "terminated", {
          ...options,
          why: `obsolete: the instance keeps its active deployment${fallback ? ` and ${deploymentLabel(fallback).toLowerCase()} as fallback` : ""}`,
        }),
      );
    } catch (error) {
      failed.push({ deployment, error: (error as Error).message });
    }
  }
  return { kept, terminated, failed };
}
