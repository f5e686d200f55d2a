// Restoring a backup into the instance: the source checked in full before anything changes, then each data
// service loaded from it. Names are mapped by role (database suffix, the vhost, the bucket), so the data lands in
// this instance's own resources whichever instance the backup was taken of.
import { Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { backups, type Backup } from "@/db/schema";
import { openBackupKey } from "@/server/backups/keys";
import { BACKUP_FORMAT_VERSION } from "@/server/backups/manifest";
import { backupById, backupStore } from "@/server/backups/store";
import { BackupVerificationError } from "@/server/infra/backups/archive-store";
import { listCurrentObjects, writeObject } from "@/server/infra/backups/bucket-objects";
import { loadDatabase } from "@/server/infra/backups/mariadb-tools";
import { loadMongoDatabase, MONGORESTORE_BIN, mongoToolVersion } from "@/server/infra/backups/mongodb-tools";
import { platformS3Client } from "@/server/infra/object-storage/client";
import type { RabbitVhostDefinitions } from "@/server/infra/rabbitmq/driver";
import { DeleteObjectCommand } from "@aws-sdk/client-s3";
import { PermanentStepError } from "../runner/errors";
import type { PipelineStep, StepContext } from "../runner/types";
import { instanceMongoAccount, verifyBackupArtifacts } from "./backup";
import { resourceNamesOf } from "./ledger-walk";

/** The restore's source backup; a restore operation always names one (server/backups/requests.ts). */
async function sourceBackup(ctx: StepContext): Promise<Backup> {
  const backup = ctx.operation.backupId ? await backupById(ctx.db, ctx.operation.backupId) : null;
  if (!backup) throw new PermanentStepError("the restore names no backup, or its backup row is gone");
  return backup;
}

function bufferSink() {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(chunks) };
}

export const verifyRestoreSource: PipelineStep = {
  name: "verify_source",
  title: "Verify the backup to restore",
  timeoutMs: 60 * 60_000,
  async run(ctx) {
    const backup = await sourceBackup(ctx);
    const label = `backup ${backup.id.slice(0, 8)}`;
    if (backup.status !== "verified") throw new PermanentStepError(`${label} is ${backup.status}, not verified: it cannot be restored. Nothing was changed.`);
    if (backup.manifest.formatVersion !== BACKUP_FORMAT_VERSION) {
      throw new PermanentStepError(`${label} has format ${backup.manifest.formatVersion}; this Lyceum restores format ${BACKUP_FORMAT_VERSION}. Nothing was changed.`);
    }
    if (backup.manifest.mongodb && !(await mongoToolVersion(MONGORESTORE_BIN))) {
      throw new PermanentStepError(`${label} holds MongoDB database ${backup.manifest.mongodb.database}, and ${MONGORESTORE_BIN} is not installed on the worker. Nothing was changed.`);
    }
    try {
      await verifyBackupArtifacts(backup, ctx.signal);
    } catch (error) {
      if (!(error instanceof BackupVerificationError)) throw error;
      // It stays failed: a later restore from it is refused at once instead of reading it again.
      await ctx.db.update(backups).set({ status: "failed", error: error.message }).where(eq(backups.id, backup.id));
      throw new PermanentStepError(`${label} failed verification: ${error.message}. Nothing was changed.`);
    }
    return `${label} (${backup.kind}, ${backup.createdAt.toISOString()}) matches its manifest`;
  },
};

export const restoreMysql: PipelineStep = {
  name: "restore_mysql",
  title: "Load the MySQL databases",
  timeoutMs: 60 * 60_000,
  async run(ctx) {
    const backup = await sourceBackup(ctx);
    const databases = backup.manifest.mysql?.databases ?? [];
    const targets = resourceNamesOf(ctx).mysql.databases;
    const dataKey = openBackupKey(backup);
    for (const database of databases) {
      ctx.signal.throwIfAborted();
      const target = targets.find((candidate) => candidate.suffix === database.suffix);
      if (!target) throw new PermanentStepError(`the backup's database ${database.name} (${database.suffix}) has no counterpart in this instance`);
      // Emptied first: tables made since the backup must not survive beside the restored ones. Grants are on the
      // database name, so the instance's users keep their access.
      await ctx.infra.mysql.dropDatabase(target.name, { signal: ctx.signal });
      await ctx.infra.mysql.ensureDatabase(target.name, { signal: ctx.signal });
      const load = loadDatabase(ctx.env.MYSQL_ADMIN_URL, target.name, ctx.signal);
      await Promise.all([backupStore().read(database.artifact, dataKey, load.stream as Writable, ctx.signal), load.exited]);
    }
    return databases.length ? `loaded ${databases.length} database${databases.length === 1 ? "" : "s"}` : "the backup has no MySQL databases";
  },
};

export const restoreRabbitmq: PipelineStep = {
  name: "restore_rabbitmq",
  title: "Load the RabbitMQ definitions",
  timeoutMs: 120_000,
  async run(ctx) {
    const backup = await sourceBackup(ctx);
    const part = backup.manifest.rabbitmq;
    if (!part) return "the backup has no RabbitMQ definitions";
    const { sink, bytes } = bufferSink();
    await backupStore().read(part.artifact, openBackupKey(backup), sink, ctx.signal);
    const definitions = JSON.parse(bytes().toString("utf8")) as RabbitVhostDefinitions;
    const { vhost } = resourceNamesOf(ctx).rabbitmq;
    await ctx.infra.rabbitmq.importDefinitions(vhost, definitions, ctx.signal);
    return `loaded the definitions of ${part.vhost} into vhost ${vhost}`;
  },
};

export const restoreObjects: PipelineStep = {
  name: "restore_objects",
  title: "Put the bucket's objects back",
  timeoutMs: 60 * 60_000,
  async run(ctx) {
    const backup = await sourceBackup(ctx);
    const part = backup.manifest.objectStorage;
    if (!part) return "the backup has no bucket";
    const { bucket } = resourceNamesOf(ctx).objectStorage;
    const client = platformS3Client();
    const dataKey = openBackupKey(backup);
    for (const object of part.objects) {
      ctx.signal.throwIfAborted();
      const { sink, bytes } = bufferSink();
      await backupStore().read(object.artifact, dataKey, sink, ctx.signal);
      await writeObject(client, bucket, object.objectKey, bytes(), object.contentType, ctx.signal);
    }
    // Keys made since the backup go too; the bucket is versioned, so they stay recoverable as older versions.
    const kept = new Set(part.objects.map((object) => object.objectKey));
    let removed = 0;
    for (const current of await listCurrentObjects(client, bucket, ctx.signal)) {
      if (kept.has(current.objectKey)) continue;
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: current.objectKey }), { abortSignal: ctx.signal });
      removed++;
    }
    return `put back ${part.objects.length} object${part.objects.length === 1 ? "" : "s"} into ${bucket}${removed ? ` and removed ${removed} made since the backup` : ""}`;
  },
};

export const restoreMongodb: PipelineStep = {
  name: "restore_mongodb",
  title: "Load the MongoDB database",
  timeoutMs: 60 * 60_000,
  async run(ctx) {
    const backup = await sourceBackup(ctx);
    const part = backup.manifest.mongodb;
    if (!part) return "the backup has no MongoDB database";
    const account = await instanceMongoAccount(ctx);
    if (!account) throw new PermanentStepError(`the backup holds MongoDB database ${part.database}, and this instance has none (is MONGODB_ADMIN_URL set?)`);
    // --drop: each collection is replaced, so a load run again after a crash leaves no duplicate documents.
    const load = await loadMongoDatabase(account, part.database, ctx.signal);
    await Promise.all([backupStore().read(part.artifact, openBackupKey(backup), load.stream as Writable, ctx.signal), load.exited]);
    return `loaded MongoDB database ${part.database} into ${account.database}`;
  },
};

/**
 * Provisioning's server steps, run only when the restore brings a deleted instance back (it is `provisioning`);
 * a serving instance keeps its deployment, since only its data changes.
 */
export function onlyForDeletedInstance(step: PipelineStep): PipelineStep {
  return {
    ...step,
    async run(ctx) {
      if (ctx.instance.status !== "provisioning") return "the instance is serving: its deployment is kept";
      return step.run(ctx);
    },
  };
}
