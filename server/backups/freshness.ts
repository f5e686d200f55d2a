// How recent each serving instance's last verified backup is: for the staff fleet list and the Prometheus gauge
// (and its alert, prometheus/alerts.yml), which must agree.
import { and, eq, inArray, max, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { backups, instances } from "@/db/schema";

/** The time the instance's newest verified backup finished, as a column of a query over `instances`. */
export const lastBackupAtColumn = sql<Date | null>`(select max(${backups.finishedAt}) from ${backups} where ${backups.instanceId} = ${instances.id} and ${backups.status} = 'verified')`.mapWith(
  backups.finishedAt,
);

/** Running and suspended instances, with their last verified backup's time (null: none yet). */
export async function lastSuccessfulBackups(q: Queryable) {
  return q
    .select({ instanceId: instances.id, subdomain: instances.subdomain, createdAt: instances.createdAt, lastBackupAt: max(backups.finishedAt) })
    .from(instances)
    .leftJoin(backups, and(eq(backups.instanceId, instances.id), eq(backups.status, "verified")))
    .where(inArray(instances.status, ["running", "suspended"]))
    .groupBy(instances.id);
}

/** Running and suspended instances with a failed backup, with the newest failure's time (the alert compares it to the last success). */
export async function lastFailedBackups(q: Queryable) {
  return q
    .select({ instanceId: instances.id, subdomain: instances.subdomain, lastFailureAt: max(backups.finishedAt) })
    .from(instances)
    .innerJoin(backups, and(eq(backups.instanceId, instances.id), eq(backups.status, "failed")))
    .where(inArray(instances.status, ["running", "suspended"]))
    .groupBy(instances.id);
}
