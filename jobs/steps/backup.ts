// Taking a backup: each data service of the instance, as the ledger knows it, dumped into the backup store,
// then every stored artifact read back and checked before the backup counts.
import { eq } from "drizzle-orm";
import { backups, deployments, type Backup, type BackupKind } from "@/db/schema";
import { openBackupKey } from "@/server/backups/keys";
import { artifactsOf, type BackupManifest } from "@/server/backups/manifest";
import { backupOfOperation, backupStore, saveManifestPart } from "@/server/backups/store";
import { BackupStoreFullError, BackupVerificationError, readableOf } from "@/server/infra/backups/archive-store";
import { listCurrentObjects, readObject } from "@/server/infra/backups/bucket-objects";
import { dumpDatabase, dumpToolVersion } from "@/server/infra/backups/mariadb-tools";
import { dumpMongoDatabase, maskedMongoUri, MONGODUMP_BIN, mongodumpArgs, mongoToolVersion, type MongoAccount } from "@/server/infra/backups/mongodb-tools";
import { platformS3Client } from "@/server/infra/object-storage/client";
import type { LedgerKind } from "@/server/instances/ledger-kinds";
import { PermanentStepError } from "../runner/errors";
import type { PipelineStep, StepContext } from "../runner/types";

/** A backup part: writes its artifacts and its manifest section, and says what it stored. */
type BackupPart = (ctx: StepContext, backup: Backup) => Promise<string>;

/**
 * Keeps a note in the manifest of what is not in the backup and why, and in the event log: a resource removed by
 * hand is reported, not waited for (a final backup must not block the deprovision it precedes).
 */
async function noteMissing(ctx: StepContext, backup: Backup, note: string) {
  const [row] = await ctx.db.select().from(backups).where(eq(backups.id, backup.id));
  if (!row!.manifest.notes.includes(note)) await saveManifestPart(ctx.db, backup.id, { notes: [...row!.manifest.notes, note] });
  await ctx.log(note, "warn");
}

const backUpMysqlPart: BackupPart = async (ctx, backup) => {
  const recorded = await ctx.ledger.list("mysql.database");
  if (recorded.length === 0) return "no MySQL databases to back up";
  const databases = [];
  for (const entry of recorded) {
    if ((await ctx.infra.mysql.listDatabases(entry.externalId, { signal: ctx.signal })).includes(entry.externalId)) databases.push(entry);
    else await noteMissing(ctx, backup, `MySQL database ${entry.externalId} is not in this backup: it no longer exists on the server.`);
  }
  const dataKey = openBackupKey(backup);
  const dumped: NonNullable<BackupManifest["mysql"]>["databases"] = [];
  // Oldest first, so the manifest lists them in provisioning's order.
  for (const entry of [...databases].reverse()) {
    ctx.signal.throwIfAborted();
    const dump = dumpDatabase(ctx.env.MYSQL_ADMIN_URL, entry.externalId, ctx.signal);
    const { suffix } = entry.details;
    const [artifact] = await Promise.all([
      backupStore().write(`${backup.prefix}mysql/${suffix}.sql.gz.enc`, dump.stream, dataKey, ctx.signal),
      dump.exited,
    ]);
    dumped.push({ name: entry.externalId, suffix, artifact });
  }
  await saveManifestPart(ctx.db, backup.id, { mysql: { dumpTool: await dumpToolVersion(), serverVersion: await ctx.infra.mysql.serverVersion({ signal: ctx.signal }), databases: dumped } });
  return `dumped ${dumped.length} MySQL database${dumped.length === 1 ? "" : "s"} (${sum(dumped.map((d) => d.artifact.dataBytes))} bytes of SQL)`;
};

const backUpRabbitmqPart: BackupPart = async (ctx, backup) => {
  const [vhost] = await ctx.ledger.list("rabbitmq.vhost");
  if (!vhost) return "no RabbitMQ vhost to back up";
  if (!(await ctx.infra.rabbitmq.listVhosts(ctx.signal)).includes(vhost.externalId)) {
    await noteMissing(ctx, backup, `RabbitMQ vhost ${vhost.externalId} is not in this backup: it no longer exists on the server.`);
    return `vhost ${vhost.externalId} is gone: nothing to export`;
  }
  const definitions = await ctx.infra.rabbitmq.exportDefinitions(vhost.externalId, ctx.signal);
  const artifact = await backupStore().write(`${backup.prefix}rabbitmq/definitions.json.gz.enc`, readableOf(JSON.stringify(definitions)), openBackupKey(backup), ctx.signal);
  await saveManifestPart(ctx.db, backup.id, { rabbitmq: { vhost: vhost.externalId, rabbitVersion: definitions.rabbit_version ?? null, artifact } });
  const count = (name: string) => (Array.isArray(definitions[name]) ? (definitions[name] as unknown[]).length : 0);
  return `exported vhost ${vhost.externalId}: ${count("queues")} queues, ${count("exchanges")} exchanges, ${count("bindings")} bindings`;
};

const backUpObjectsPart: BackupPart = async (ctx, backup) => {
  const [bucket] = await ctx.ledger.list("s3.bucket");
  if (!bucket) return "no bucket to back up";
  if (!(await ctx.infra.objectStorage.listBuckets(ctx.signal)).includes(bucket.externalId)) {
    await noteMissing(ctx, backup, `Bucket ${bucket.externalId} is not in this backup: it no longer exists.`);
    return `bucket ${bucket.externalId} is gone: nothing to copy`;
  }
  const client = platformS3Client();
  const dataKey = openBackupKey(backup);
  const objects: NonNullable<BackupManifest["objectStorage"]>["objects"] = [];
  const current = await listCurrentObjects(client, bucket.externalId, ctx.signal);
  for (const [index, object] of current.entries()) {
    ctx.signal.throwIfAborted();
    const { body, contentType } = await readObject(client, bucket.externalId, object, ctx.signal);
    const artifact = await backupStore().write(`${backup.prefix}objects/${index}.gz.enc`, body, dataKey, ctx.signal);
    objects.push({ ...object, contentType, artifact });
  }
  await saveManifestPart(ctx.db, backup.id, { objectStorage: { bucket: bucket.externalId, objects } });
  return `copied ${objects.length} object${objects.length === 1 ? "" : "s"} of bucket ${bucket.externalId} (${sum(objects.map((o) => o.artifact.dataBytes))} bytes)`;
};

const backUpMongodbPart: BackupPart = async (ctx, backup) => {
  const account = await instanceMongoAccount(ctx);
  if (!account) return "no MongoDB database to back up";
  const dumpTool = await mongoToolVersion(MONGODUMP_BIN);
  if (!dumpTool) {
    // Said, not pretended: the backup holds everything else, and its manifest names what is missing and why.
    await noteMissing(
      ctx,
      backup,
      `MongoDB database ${account.database} is not in this backup: ${MONGODUMP_BIN} is not installed on the worker (it would run ${MONGODUMP_BIN} ${mongodumpArgs(account.database, "<config with uri " + maskedMongoUri(account) + ">").join(" ")}).`,
    );
    return `skipped MongoDB: ${MONGODUMP_BIN} is not installed (noted in the manifest)`;
  }
  const dump = await dumpMongoDatabase(account, ctx.signal);
  const [artifact] = await Promise.all([backupStore().write(`${backup.prefix}mongodb/${account.database}.archive.gz.enc`, dump.stream, openBackupKey(backup), ctx.signal), dump.exited]);
  await saveManifestPart(ctx.db, backup.id, { mongodb: { database: account.database, dumpTool, artifact } });
  return `dumped MongoDB database ${account.database} (${artifact.dataBytes} bytes of archive)`;
};

/** The instance's MongoDB account from the ledger (null when it has none: no cluster is configured). */
export async function instanceMongoAccount(ctx: StepContext): Promise<MongoAccount | null> {
  const [user] = await ctx.ledger.list("mongodb.user");
  if (!user) return null;
  return { hosts: user.details.hosts, database: user.details.database, user: user.externalId, password: ctx.ledger.secretsOf(user)!.password };
}

/** Reads every artifact back and checks it; the backup is verified, or failed with the reason. */
const verifyPart: BackupPart = async (ctx, backup) => {
  const [row] = await ctx.db.select().from(backups).where(eq(backups.id, backup.id));
  const artifacts = artifactsOf(row!.manifest);
  try {
    await verifyBackupArtifacts(row!, ctx.signal);
  } catch (error) {
    if (!(error instanceof BackupVerificationError)) throw error;
    await ctx.db.update(backups).set({ status: "failed", error: error.message, finishedAt: new Date() }).where(eq(backups.id, backup.id));
    throw new PermanentStepError(`backup ${backup.id.slice(0, 8)} failed verification: ${error.message}`);
  }
  const storedBytes = sum(artifacts.map((a) => a.storedBytes));
  const dataBytes = sum(artifacts.map((a) => a.dataBytes));
  await ctx.db.update(backups).set({ status: "verified", storedBytes, dataBytes, error: null, finishedAt: new Date() }).where(eq(backups.id, backup.id));
  return `verified ${artifacts.length} artifacts (${storedBytes} bytes stored for ${dataBytes} bytes of data) against their checksums`;
};

/** Every artifact of the backup, read in full and checked against the manifest; throws BackupVerificationError. */
export async function verifyBackupArtifacts(backup: Backup, signal?: AbortSignal) {
  const dataKey = openBackupKey(backup);
  for (const artifact of artifactsOf(backup.manifest)) await backupStore().verify(artifact, dataKey, signal);
}

/**
 * Runs a part; when the store is full, the backup fails at once, loudly and whole: what it had written is
 * deleted (it is of no use, and it takes the room the next backup needs), the row says why, and the step fails
 * for good (no retries against a full store; Retry once there is room).
 */
async function failingWhenStoreFull(ctx: StepContext, backup: Backup, part: BackupPart): Promise<string> {
  try {
    return await part(ctx, backup);
  } catch (error) {
    if (!(error instanceof BackupStoreFullError)) throw error;
    const removed = await backupStore().removePrefix(backup.prefix, ctx.signal);
    const message = `backup ${backup.id.slice(0, 8)} failed: ${error.message}. Its ${removed} artifact${removed === 1 ? "" : "s"} written so far ${removed === 1 ? "was" : "were"} deleted; make room in the backup store, then retry`;
    await ctx.db.update(backups).set({ status: "failed", error: message, finishedAt: new Date() }).where(eq(backups.id, backup.id));
    throw new PermanentStepError(message);
  }
}

function sum(values: number[]) {
  return values.reduce((total, value) => total + value, 0);
}

function partStep(name: string, title: string, part: BackupPart, timeoutMs: number): PipelineStep {
  return {
    name,
    title,
    timeoutMs,
    async run(ctx) {
      // Lyceum's own (the schedule's) or someone's request.
      const kind = ctx.operation.initiator === "system" ? "scheduled" : "manual";
      return failingWhenStoreFull(ctx, await backupOfOperation(ctx.db, ctx.instance, ctx.operation.id, kind), part);
    },
  };
}

export const backUpMysql = partStep("backup_mysql", "Dump the MySQL databases", backUpMysqlPart, 30 * 60_000);
export const backUpRabbitmq = partStep("backup_rabbitmq", "Export the RabbitMQ definitions", backUpRabbitmqPart, 120_000);
export const backUpObjects = partStep("backup_objects", "Copy the bucket's objects", backUpObjectsPart, 60 * 60_000);
export const backUpMongodb = partStep("backup_mongodb", "Back up MongoDB", backUpMongodbPart, 60_000);
export const verifyBackup = partStep("verify_backup", "Verify the backup", verifyPart, 60 * 60_000);

/** Whether the active deployment runs another plan than the instance's: a plan change waits to be applied. */
async function isPlanChangePending(ctx: StepContext) {
  if (!ctx.instance.activeDeploymentId) return false;
  const [active] = await ctx.db.select().from(deployments).where(eq(deployments.id, ctx.instance.activeDeploymentId));
  return Boolean(active?.config?.plan && active.config.plan !== ctx.instance.plan);
}

/**
 * The whole backup as one step, for the pipelines it precedes (deprovision's final backup, restore's safety copy,
 * a redeploy's or plan change's). `kind` may be decided when the step runs; null skips the backup.
 */
export function takeBackupStep(options: { name: string; title: string; kind: BackupKind | ((ctx: StepContext) => Promise<BackupKind | null>) }): PipelineStep {
  return {
    name: options.name,
    title: options.title,
    timeoutMs: 2 * 60 * 60_000,
    async run(ctx) {
      const kind = typeof options.kind === "function" ? await options.kind(ctx) : options.kind;
      if (!kind) return "nothing here calls for a backup";
      const backup = await backupOfOperation(ctx.db, ctx.instance, ctx.operation.id, kind);
      const dataKinds: LedgerKind[] = ["mysql.database", "rabbitmq.vhost", "s3.bucket", "mongodb.user"];
      const hasData = (await ctx.ledger.list()).some((entry) => dataKinds.includes(entry.kind));
      if (!hasData) {
        await ctx.db.update(backups).set({ status: "verified", finishedAt: new Date() }).where(eq(backups.id, backup.id));
        return `the instance has no databases, vhost or bucket: backup ${backup.id.slice(0, 8)} is empty`;
      }
      const said = [];
      for (const part of [backUpMysqlPart, backUpRabbitmqPart, backUpObjectsPart, backUpMongodbPart, verifyPart]) said.push(await failingWhenStoreFull(ctx, backup, part));
      return `backup ${backup.id.slice(0, 8)}: ${said.join("; ")}`;
    },
  };
}

/** A redeploy's new deployment runs Open edX's migrations (`tutor local launch`) against the same databases. */
export const backUpBeforeRedeploy = takeBackupStep({
  name: "backup_before_redeploy",
  title: "Back up before the new deployment migrates the databases",
  kind: async (ctx) => ((await isPlanChangePending(ctx)) ? "pre_plan_change" : "pre_redeploy"),
});

/** A reconfigure that applies a plan change backs up first; one that only pushes settings does not. */
export const backUpBeforePlanChange = takeBackupStep({
  name: "backup_before_plan_change",
  title: "Back up before the plan changes",
  kind: async (ctx) => ((await isPlanChangePending(ctx)) ? "pre_plan_change" : null),
});
