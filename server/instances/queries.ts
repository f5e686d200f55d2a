// Read models the pages and procedures need, as small named queries. The ones every instance page render runs
// (several times: each procedure checks access itself) are prepared once: drizzle then skips building their
// SQL on every call, which was a measurable part of the page's CPU time (npm run bench, scenario 4).
import { asc, desc, eq, inArray, sql } from "drizzle-orm";
import { db, preparedQuery } from "@/db";
import { deployments, instanceEvents, instances, instanceResources } from "@/db/schema";
import { organisationIdsWhere } from "@/server/organisations/access";

/** The instances of every organisation this account is a member of (any role may read). */
export async function instancesVisibleTo(userId: string) {
  return db
    .select()
    .from(instances)
    .where(inArray(instances.organisationId, organisationIdsWhere(userId, "viewer")))
    .orderBy(desc(instances.createdAt));
}

const instanceByIdQuery = preparedQuery((database) =>
  database
    .select()
    .from(instances)
    .where(eq(instances.id, sql.placeholder("id")))
    .limit(1)
    .prepare("instance_by_id"),
);

export async function instanceById(id: string) {
  return (await instanceByIdQuery().execute({ id }))[0] ?? null;
}

const deploymentByIdQuery = preparedQuery((database) =>
  database
    .select()
    .from(deployments)
    .where(eq(deployments.id, sql.placeholder("id")))
    .limit(1)
    .prepare("deployment_by_id"),
);

export async function activeDeploymentOf(instance: { activeDeploymentId: string | null }) {
  if (!instance.activeDeploymentId) return null;
  return (await deploymentByIdQuery().execute({ id: instance.activeDeploymentId }))[0] ?? null;
}

const eventLogQuery = preparedQuery((database) =>
  database
    .select()
    .from(instanceEvents)
    .where(eq(instanceEvents.instanceId, sql.placeholder("instanceId")))
    .orderBy(desc(instanceEvents.seq))
    .limit(sql.placeholder("limit"))
    .prepare("instance_event_log"),
);

export async function instanceEventLog(instanceId: string, limit = 1000) {
  const rows = await eventLogQuery().execute({ instanceId, limit });
  return rows.reverse();
}

const ledgerQuery = preparedQuery((database) =>
  database
    .select({
      id: instanceResources.id,
      kind: instanceResources.kind,
      externalId: instanceResources.externalId,
      details: instanceResources.details,
      createdAt: instanceResources.createdAt,
      deletedAt: instanceResources.deletedAt,
    })
    .from(instanceResources)
    .where(eq(instanceResources.instanceId, sql.placeholder("instanceId")))
    .orderBy(asc(instanceResources.createdAt))
    .prepare("instance_ledger"),
);

/** The ledger as shown to people: names and ids, never the encrypted secrets column. */
export async function instanceLedger(instanceId: string) {
  return ledgerQuery().execute({ instanceId });
}
