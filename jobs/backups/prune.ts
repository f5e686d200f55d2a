// Pruning: the backups an instance's plan no longer keeps (server/backups/retention.ts) leave the backup store and
// the table. The artifacts go first, the row last, so a run that dies half-way is finished by the next one.
import { and, eq, inArray, isNotNull } from "drizzle-orm";
import type { Queryable } from "@/db";
import { backups, instanceOperations, instances } from "@/db/schema";
import { planById } from "@/server/billing/plans";
import { backupsToKeep } from "@/server/backups/retention";
import { backupStore } from "@/server/backups/store";

type PruneOutcome = { deleted: { backupId: string; instanceId: string; objects: number }[] };

export async function pruneBackups(q: Queryable, now: Date, signal?: AbortSignal): Promise<PruneOutcome> {
  const outcome: PruneOutcome = { deleted: [] };
  const withBackups = await q
    .selectDistinct({ id: instances.id, plan: instances.plan, status: instances.status })
    .from(instances)
    .innerJoin(backups, eq(backups.instanceId, instances.id));
  for (const instance of withBackups) {
    signal?.throwIfAborted();
    const rows = await q.select().from(backups).where(eq(backups.instanceId, instance.id));
    // A restore waiting to run or running reads its source backup: that one stays whatever its age.
    const sources = await q
      .select({ backupId: instanceOperations.backupId })
      .from(instanceOperations)
      .where(and(isNotNull(instanceOperations.backupId), inArray(instanceOperations.status, ["queued", "running"])));
    const inUse = new Set(sources.map((source) => source.backupId));
    const finals = rows.filter((row) => row.kind === "pre_deprovision" && row.status === "verified").sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const deletion = instance.status === "deprovisioned" && finals[0] ? { finalBackupAt: finals[0].createdAt } : undefined;
    const kept = backupsToKeep(rows, planById(instance.plan).backupRetention, now, deletion);
    for (const row of rows) {
      if (kept.has(row.id) || inUse.has(row.id)) continue;
      const objects = await backupStore().removePrefix(row.prefix, signal);
      await q.delete(backups).where(eq(backups.id, row.id));
      outcome.deleted.push({ backupId: row.id, instanceId: instance.id, objects });
    }
  }
  return outcome;
}
