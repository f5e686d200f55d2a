// A full backup store fails the backup loudly: the backup bucket of this file has a real quota on the local S3
// server (refusing writes past it with QuotaExceeded, as Ceph does), and a backup that runs into it is marked
// failed with the reason, says so in the event log, leaves no half backup behind or on offer for a restore, and
// shows in the gauges behind LyceumBackupFailed and LyceumBackupMissing. Once there is room, backups work again.
import { randomBytes } from "node:crypto";
import { CreateBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

// A bucket of this file's own: the run's shared backup bucket must not fill up under the other files.
const backupBucket = `lyceum-backups-full-${randomBytes(4).toString("hex")}`;
process.env.LYCEUM_BACKUP_BUCKET = backupBucket;
await isolatedDatabase();

const { db } = await import("@/db");
const { backups, instanceEvents, instanceOperations, operationSteps } = await import("@/db/schema");
const { LocalS3AdminClient } = await import("@/server/infra/object-storage/local-s3-admin-client");
const { registerWebGauges } = await import("@/server/observability/web-gauges");
const { metrics } = await import("@/server/observability/metrics");
const { ledgerFor } = await import("@/server/instances/ledger");
const { apiAs } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { runningInstance } = await import("./helpers/instances");
const { operationEnded } = await import("./helpers/operations");
const { runWorkerForThisFile } = await import("./helpers/file-worker");
runWorkerForThisFile();

const admin = new LocalS3AdminClient({
  endpoint: process.env.S3_ENDPOINT!,
  region: process.env.S3_REGION ?? "us-east-1",
  rootCredentials: { accessKeyId: process.env.S3_ACCESS_KEY_ID!, secretAccessKey: process.env.S3_SECRET_ACCESS_KEY! },
});

async function objectsUnder(prefix: string) {
  const client = services.s3As();
  try {
    const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: backupBucket, Prefix: prefix }));
    return Contents.map((object) => object.Key!);
  } finally {
    client.destroy();
  }
}

async function gauge(name: string, instanceId: string) {
  const exported = await metrics().registry.getSingleMetricAsString(name);
  const line = exported.split("\n").find((candidate) => candidate.startsWith(`${name}{instance_id="${instanceId}"`));
  return line ? Number(line.split(" ").at(-1)) : null;
}

describe("a full backup store", () => {
  it("fails the backup at once with the reason, keeps no half backup, and the gauges say so", async () => {
    const root = services.s3As();
    await root.send(new CreateBucketCommand({ Bucket: backupBucket }));
    root.destroy();
    const running = await runningInstance("Full Store School");
    const id = running.instance.id;
    // Some rows, so that each database's artifact takes room of its own.
    const [edxapp] = await ledgerFor(db, id).list("mysql.database");
    await services.withMysqlAdmin(async (connection) => {
      await connection.query(`CREATE TABLE \`${edxapp!.externalId}\`.notes (id INT PRIMARY KEY, body BLOB)`);
      for (let row = 0; row < 20; row++) await connection.query(`INSERT INTO \`${edxapp!.externalId}\`.notes VALUES (?, ?)`, [row, randomBytes(4096)]);
    });

    const first = await apiAs(running.owner).instances.backUp({ id });
    expect(await operationEnded(first.operationId)).toMatchObject({ status: "succeeded" });
    const [good] = await db.select().from(backups).where(eq(backups.operationId, first.operationId));
    expect(good).toMatchObject({ status: "verified" });
    const goodObjects = await objectsUnder(good!.prefix);
    expect(goodObjects.length).toBeGreaterThan(2);

    // Room for about half of another backup: the next one writes some artifacts, then the store refuses one.
    const { usedBytes } = await admin.setBucketQuota(backupBucket, null);
    expect(usedBytes).toBe(good!.storedBytes);
    await admin.setBucketQuota(backupBucket, usedBytes + Math.floor(good!.storedBytes / 2));

    const second = await apiAs(running.owner).instances.backUp({ id });
    const ended = await operationEnded(second.operationId);
    // Failed for good on its first attempt: retrying against a full store only fills the queue.
    expect(ended).toMatchObject({ status: "failed" });
    const steps = await db.select().from(operationSteps).where(eq(operationSteps.operationId, second.operationId));
    expect(steps.filter((step) => step.status === "failed").map((step) => step.attempts)).toEqual([1]);
    const [failed] = await db.select().from(backups).where(eq(backups.operationId, second.operationId));
    expect(failed).toMatchObject({ status: "failed" });
    expect(failed!.error).toMatch(/the backup store is full: artifact instances\/.+ could not be written to lyceum-backups-full-/);
    expect(failed!.error).toMatch(/Bucket quota exceeded/);
    expect(failed!.error).toMatch(/artifacts? written so far (was|were) deleted; make room in the backup store, then retry/);
    expect(failed!.error).not.toMatch(/ 0 artifacts written/);

    // The event log says why, in the failed step and in the operation's last word.
    const events = await db
      .select()
      .from(instanceEvents)
      .where(and(eq(instanceEvents.instanceId, id), eq(instanceEvents.operationId, second.operationId)))
      .orderBy(asc(instanceEvents.seq));
    expect(events.find((event) => event.kind === "step_failed")?.message).toMatch(/the backup store is full/);
    expect(events.some((event) => event.level === "error" && /^The backup failed: .*the backup store is full.*The instance is unchanged\.$/.test(event.message))).toBe(true);

    // No half backup: nothing of it is left in the store, the good one is intact, and it is not on offer.
    expect(await objectsUnder(failed!.prefix)).toEqual([]);
    expect(await objectsUnder(good!.prefix)).toEqual(goodObjects);
    const listed = await apiAs(running.owner).instances.backups({ id });
    expect(listed.map((backup) => [backup.id, backup.status])).toEqual([
      [failed!.id, "failed"],
      [good!.id, "verified"],
    ]);
    await expect(apiAs(running.owner).instances.restore({ id, backupId: failed!.id, confirm: running.instance.subdomain! })).rejects.toThrow(
      /That backup is failed \(.*the backup store is full.*\): only a verified backup can be restored\./,
    );
    const operations = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, id));
    expect(operations.filter((operation) => operation.kind === "restore")).toEqual([]);

    // Prometheus: the last success stays the good backup's; the newer failure fires LyceumBackupFailed.
    registerWebGauges();
    const goodAt = Math.floor(good!.finishedAt!.getTime() / 1000);
    expect(await gauge("lyceum_backup_last_success_timestamp_seconds", id)).toBe(goodAt);
    const failedAt = await gauge("lyceum_backup_last_failure_timestamp_seconds", id);
    expect(failedAt).toBe(Math.floor(failed!.finishedAt!.getTime() / 1000));
    expect(failedAt!).toBeGreaterThanOrEqual(goodAt);
    expect(failed!.finishedAt!.getTime()).toBeGreaterThan(good!.finishedAt!.getTime());

    // Room made: the next backup succeeds, and the success is newer than the failure again.
    await admin.setBucketQuota(backupBucket, null);
    const third = await apiAs(running.owner).instances.backUp({ id });
    expect(await operationEnded(third.operationId)).toMatchObject({ status: "succeeded" });
    expect(await gauge("lyceum_backup_last_success_timestamp_seconds", id)).toBeGreaterThanOrEqual(failedAt!);
  }, 240_000);
});
