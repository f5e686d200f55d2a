// The daily backup schedule: each serving instance is backed up once a day at a time of its own (spread over the
// day by its id, so the fleet does not dump at midnight together), by an operation like any other.
import { createHash } from "node:crypto";
import { and, eq, gte, inArray, ne } from "drizzle-orm";
import type { Queryable } from "@/db";
import { backups, instances } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { OperationInProgressError, startOperation } from "@/server/instances/operations";

const DAY_MS = 86_400_000;

/**
 * A slot less than this after the instance was registered is skipped: its first hour is set-up, and the next day's
 * slot (within the 36 hours the alert allows) takes the first backup. It also keeps the crontab of test workers from
 * starting backups under the tests' own operations, whose instances live minutes.
 */
const FIRST_BACKUP_AFTER_MS = 3_600_000;

/** A failing backup is tried again on later runs of the day, this many times in all, then tomorrow. */
const SCHEDULED_ATTEMPTS_PER_DAY = 3;

/** The instance's minute of the UTC day for its scheduled backup. */
function backupSlotMinuteOf(instanceId: string) {
  return createHash("sha256").update(instanceId).digest().readUInt32BE(0) % (24 * 60);
}

/** The latest time at or before `now` that is the instance's slot: its scheduled backup is due from then. */
export function lastBackupSlot(instanceId: string, now: Date) {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const slot = midnight + backupSlotMinuteOf(instanceId) * 60_000;
  return new Date(slot <= now.getTime() ? slot : slot - DAY_MS);
}

type ScheduleOutcome = { started: string[]; deferred: string[] };

/**
 * Starts the scheduled backup of every running or suspended instance whose slot has come and that has no scheduled
 * backup since (a failed one is tried again, up to SCHEDULED_ATTEMPTS_PER_DAY). An instance busy with another
 * operation (provisioning, a redeploy, an owner's backup) is deferred to the next run: one operation at a time.
 */
export async function startDueBackups(q: Queryable, now: Date): Promise<ScheduleOutcome> {
  const serving = await q
    .select({ id: instances.id, createdAt: instances.createdAt })
    .from(instances)
    .where(inArray(instances.status, ["running", "suspended"]));
  const outcome: ScheduleOutcome = { started: [], deferred: [] };
  for (const { id, createdAt } of serving) {
    const since = lastBackupSlot(id, now);
    if (since.getTime() < createdAt.getTime() + FIRST_BACKUP_AFTER_MS) continue;
    // A backup from just before a slot that has not yet come does not count: `since` is always in the past.
    const taken = await q
      .select({ status: backups.status })
      .from(backups)
      .where(and(eq(backups.instanceId, id), eq(backups.kind, "scheduled"), gte(backups.createdAt, since), ne(backups.status, "running")));
    const failures = taken.filter((backup) => backup.status === "failed").length;
    if (taken.some((backup) => backup.status === "verified") || failures >= SCHEDULED_ATTEMPTS_PER_DAY) continue;
    try {
      await q.transaction(async (tx) => {
        // Re-read under the row lock: the instance may have left service since the list was read.
        const [instance] = await tx.select().from(instances).where(eq(instances.id, id)).for("update");
        if (!instance || !["running", "suspended"].includes(instance.status)) return;
        const operation = await startOperation(tx, { instanceId: id, kind: "backup", initiator: "system", reason: "daily backup" });
        await appendInstanceEvent(tx, {
          instanceId: id,
          operationId: operation.id,
          kind: "log",
          message: `Daily backup${failures ? ` (attempt ${failures + 1} today)` : ""}: the databases, message-queue definitions and files are copied to the backup store.`,
        });
        outcome.started.push(id);
      });
    } catch (error) {
      if (!(error instanceof OperationInProgressError)) throw error;
      outcome.deferred.push(id);
    }
  }
  return outcome;
}
