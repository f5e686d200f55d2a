// Read models the pages and procedures need, as small named queries.
import { asc, desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { deployments, instanceEvents, instances, instanceResources } from "@/db/schema";

export async function instancesOwnedBy(ownerId: string) {
  return db.select().from(instances).where(eq(instances.ownerId, ownerId)).orderBy(desc(instances.createdAt));
}

export async function instanceById(id: string) {
  return (await db.query.instances.findFirst({ where: eq(instances.id, id) })) ?? null;
}

export async function activeDeploymentOf(instance: { activeDeploymentId: string | null }) {
  if (!instance.activeDeploymentId) return null;
  return (await db.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId) })) ?? null;
}

export async function instanceEventLog(instanceId: string, limit = 1000) {
  const rows = await db
    .select()
    .from(instanceEvents)
    .where(eq(instanceEvents.instanceId, instanceId))
    .orderBy(desc(instanceEvents.seq))
    .limit(limit);
  return rows.reverse();
}

/** The ledger as shown to people: names and ids, never the encrypted secrets column. */
export async function instanceLedger(instanceId: string) {
  return db
    .select({
      id: instanceResources.id,
      kind: instanceResources.kind,
      externalId: instanceResources.externalId,
      details: instanceResources.details,
      createdAt: instanceResources.createdAt,
      deletedAt: instanceResources.deletedAt,
    })
    .from(instanceResources)
    .where(eq(instanceResources.instanceId, instanceId))
    .orderBy(asc(instanceResources.createdAt));
}
