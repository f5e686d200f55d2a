// Backup: one consistent snapshot of the instance's data services in the backup store, verified before it counts.
// The instance keeps serving throughout, in whatever state it was (running or suspended).
import { eq } from "drizzle-orm";
import { backups } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { backUpMongodb, backUpMysql, backUpObjects, backUpRabbitmq, verifyBackup } from "../steps/backup";
import type { Pipeline } from "../runner/types";

export const backupPipeline: Pipeline = {
  kind: "backup",
  steps: [backUpMysql, backUpRabbitmq, backUpObjects, backUpMongodb, verifyBackup],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    const [backup] = await tx.select().from(backups).where(eq(backups.operationId, operation.id));
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: `Backup ${backup?.id.slice(0, 8)} is stored and verified (${backup?.storedBytes ?? 0} bytes).`,
      data: { backupId: backup?.id },
    });
  },
  async onFailure(tx, instance, operation, error) {
    // A backup that did not finish is not one: it is marked failed, never offered for a restore.
    await tx
      .update(backups)
      .set({ status: "failed", error: error.message, finishedAt: new Date() })
      .where(eq(backups.operationId, operation.id));
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `The backup failed: ${error.message}. The instance is unchanged.`,
    });
  },
};
