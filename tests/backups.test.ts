// Backups and restores against the real services: MariaDB rows, RabbitMQ definitions and bucket objects survive a
// backup, a deprovision and a restore byte for byte; a tampered backup and another instance's backup are refused.
import { createHash, randomBytes } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import amqp from "amqplib";
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { auditLog, backups, instanceOperations, instances } = await import("@/db/schema");
const { ledgerFor } = await import("@/server/instances/ledger");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { namePrefixOf, namesOf, runningInstance, waitForStatus } = await import("./helpers/instances");
const { operationEnded: waitForOperation } = await import("./helpers/operations");

const { runWorkerForThisFile } = await import("./helpers/file-worker");
runWorkerForThisFile();

type Running = Awaited<ReturnType<typeof runningInstance>>;

async function secretOf(instanceId: string, kind: "mysql.user" | "rabbitmq.user", externalId: string) {
  const ledger = ledgerFor(db, instanceId);
  return ledger.secretsOf((await ledger.find(kind, externalId))!)!.password;
}

async function bucketKeyOf(instanceId: string) {
  const ledger = ledgerFor(db, instanceId);
  const [entry] = await ledger.list("s3.access_key");
  return { accessKeyId: entry!.externalId, secretAccessKey: ledger.secretsOf(entry!)!.secretAccessKey };
}

/** Connects as the instance's edxapp user (its password from the ledger, as the deployment config gets it). */
async function edxappConnection(running: Running) {
  const user = running.names.mysql.users.find((candidate) => candidate.role === "edxapp")!;
  const database = running.names.mysql.databases.find((candidate) => candidate.suffix === "edxapp")!.name;
  return services.connectAsMysqlUser(user.name, await secretOf(running.instance.id, "mysql.user", user.name), database);
}

async function rowsOf(running: Running) {
  const connection = await edxappConnection(running);
  try {
    const [rows] = await connection.query("SELECT id, title, HEX(payload) AS payload FROM courses ORDER BY id");
    return rows;
  } finally {
    await connection.end();
  }
}


async function bucketObjects(running: Running) {
  const client = services.s3As();
  try {
    const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: running.names.objectStorage.bucket }));
    const found: Record<string, string> = {};
    for (const { Key } of Contents) {
      const object = await client.send(new GetObjectCommand({ Bucket: running.names.objectStorage.bucket, Key }));
      found[Key!] = createHash("sha256").update(Buffer.from(await object.Body!.transformToByteArray())).digest("hex");
    }
    return found;
  } finally {
    client.destroy();
  }
}

async function vhostDefinitions(vhost: string) {
  const url = new URL(process.env.RABBITMQ_MANAGEMENT_URL ?? "http://guest:guest@127.0.0.1:15672");
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  const definitions = (await (await fetch(new URL(`/api/definitions/${encodeURIComponent(vhost)}`, url.origin), { headers: { authorization } })).json()) as {
    queues: { name: string; durable: boolean; arguments: unknown }[];
    exchanges: { name: string; type: string }[];
    bindings: { source: string; destination: string; routing_key: string }[];
  };
  return {
    queues: definitions.queues.map(({ name, durable, arguments: args }) => ({ name, durable, args })),
    exchanges: definitions.exchanges.map(({ name, type }) => ({ name, type })),
    bindings: definitions.bindings.map(({ source, destination, routing_key }) => ({ source, destination, routing_key })),
  };
}

/** Rows, a queue and exchange with a binding, and objects (one overwritten, one binary) — written as the instance would. */
async function writeInstanceData(running: Running) {
  const connection = await edxappConnection(running);
  await connection.query("CREATE TABLE courses (id INT PRIMARY KEY, title VARCHAR(200) CHARACTER SET utf8mb4, payload VARBINARY(64))");
  await connection.query("INSERT INTO courses VALUES (1, 'Introduction à l’algèbre ✓', ?), (2, 'Data 101', ?)", [randomBytes(32), Buffer.from([0, 1, 2, 255])]);
  await connection.end();

  const { vhost, user } = running.names.rabbitmq;
  const amqpConnection = await amqp.connect(services.amqpUrlFor(user, await secretOf(running.instance.id, "rabbitmq.user", user), vhost));
  const channel = await amqpConnection.createChannel();
  await channel.assertExchange("lms.events", "topic", { durable: true });
  await channel.assertQueue("lms.grading", { durable: true, arguments: { "x-max-length": 1000 } });
  await channel.bindQueue("lms.grading", "lms.events", "grade.#");
  await amqpConnection.close();

  const storage = services.s3As(await bucketKeyOf(running.instance.id));
  const bucket = running.names.objectStorage.bucket;
  await storage.send(new PutObjectCommand({ Bucket: bucket, Key: "courses/course.tar.gz", Body: "first version" }));
  await storage.send(new PutObjectCommand({ Bucket: bucket, Key: "courses/course.tar.gz", Body: randomBytes(200_000) }));
  await storage.send(new PutObjectCommand({ Bucket: bucket, Key: "media/logo.svg", Body: "<svg xmlns='http://www.w3.org/2000/svg'/>", ContentType: "image/svg+xml" }));
  storage.destroy();
}

async function backupsOfInstance(instanceId: string) {
  return db.select().from(backups).where(eq(backups.instanceId, instanceId)).orderBy(desc(backups.createdAt));
}

describe("backups", () => {
  // Provisioning, a backup, a deprovision and a restore that boots servers again: over the default minute on a busy machine.
  it("bring every row, queue definition and object back byte for byte after the instance was deprovisioned", async () => {
    const running = await runningInstance("Backed Up Academy");
    const staff = await makeUser("staff");
    await writeInstanceData(running);
    const rowsBefore = await rowsOf(running);
    const definitionsBefore = await vhostDefinitions(running.names.rabbitmq.vhost);
    const objectsBefore = await bucketObjects(running);
    expect(Object.keys(objectsBefore)).toEqual(["courses/course.tar.gz", "media/logo.svg"]);
    expect(definitionsBefore.queues).toContainEqual({ name: "lms.grading", durable: true, args: { "x-max-length": 1000 } });

    // The owner backs up on demand; the instance keeps running.
    const { operationId } = await apiAs(running.owner).instances.backUp({ id: running.instance.id });
    expect(await waitForOperation(operationId)).toMatchObject({ status: "succeeded", initiator: "owner" });
    expect((await waitForStatus(running.instance.id, "running")).status).toBe("running");
    const [manual] = await apiAs(running.owner).instances.backups({ id: running.instance.id });
    expect(manual).toMatchObject({ kind: "manual", status: "verified" });
    expect(manual).not.toHaveProperty("keySealed");
    expect(manual!.manifest.mysql!.databases.map((d) => d.suffix)).toEqual(running.names.mysql.databases.map((d) => d.suffix));
    expect(manual!.manifest.objectStorage!.objects.map((o) => o.objectKey)).toEqual(["courses/course.tar.gz", "media/logo.svg"]);
    expect(manual!.manifest.objectStorage!.objects.map((o) => o.artifact.dataSha256)).toEqual(Object.values(objectsBefore));

    // The artifacts are encrypted, and the instance's own key does not reach the backup bucket.
    const root = services.s3As();
    const stored = await root.send(new GetObjectCommand({ Bucket: process.env.LYCEUM_BACKUP_BUCKET!, Key: manual!.manifest.mysql!.databases.find((d) => d.suffix === "edxapp")!.artifact.key }));
    const storedBytes = Buffer.from(await stored.Body!.transformToByteArray());
    expect(storedBytes.includes(Buffer.from("Data 101"))).toBe(false);
    expect(storedBytes.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
    const instanceClient = services.s3As(await bucketKeyOf(running.instance.id));
    await expect(instanceClient.send(new ListObjectsV2Command({ Bucket: process.env.LYCEUM_BACKUP_BUCKET! }))).rejects.toMatchObject({ name: expect.stringMatching(/AccessDenied|InvalidAccessKeyId/) });
    instanceClient.destroy();

    // Deprovisioning takes a final backup first, then deletes everything.
    await apiAs(staff).staff.deprovision({ instanceId: running.instance.id, confirm: running.instance.subdomain, reason: "customer left" });
    await waitForStatus(running.instance.id, "deprovisioned", 120_000);
    const prefix = namePrefixOf(running.instance);
    expect(await services.mysqlResourcesStartingWith(`${prefix}_`)).toEqual({ databases: [], users: [], hosts: [] });
    expect(await services.rabbitVhostsStartingWith(prefix)).toEqual([]);
    const final = (await backupsOfInstance(running.instance.id)).find((backup) => backup.kind === "pre_deprovision")!;
    expect(final).toMatchObject({ status: "verified" });
    expect(final.manifest.objectStorage!.objects).toHaveLength(2);

    // Staff restore the deleted instance from its final backup: resources, servers and data come back.
    await apiAs(staff).staff.restore({ instanceId: running.instance.id, backupId: final.id, reason: "customer came back" });
    const restored = await waitForStatus(running.instance.id, "running", 180_000);
    const operation = (await db.select().from(instanceOperations).where(and(eq(instanceOperations.instanceId, running.instance.id), eq(instanceOperations.kind, "restore"))))[0]!;
    expect(operation).toMatchObject({ status: "succeeded", initiator: "staff", backupId: final.id });
    expect(restored.activeDeploymentId).not.toBeNull();

    expect(await rowsOf(running)).toEqual(rowsBefore);
    expect(await vhostDefinitions(running.names.rabbitmq.vhost)).toEqual(definitionsBefore);
    expect(await bucketObjects(running)).toEqual(objectsBefore);
    root.destroy();
  }, 300_000);

  it("refuses a tampered backup with a clear message, and changes nothing", async () => {
    const running = await runningInstance("Tampered School");
    await writeInstanceData(running);
    const { operationId } = await apiAs(running.owner).instances.backUp({ id: running.instance.id });
    expect(await waitForOperation(operationId)).toMatchObject({ status: "succeeded" });
    const [backup] = await backupsOfInstance(running.instance.id);

    // Written after the backup: a restore would remove it, a refused one leaves it.
    const connection = await edxappConnection(running);
    await connection.query("INSERT INTO courses VALUES (3, 'Added later', NULL)");
    await connection.end();
    const rowsBefore = await rowsOf(running);
    const objectsBefore = await bucketObjects(running);

    // One flipped byte in the middle of a stored artifact.
    const root = services.s3As();
    const { key } = backup!.manifest.objectStorage!.objects[0]!.artifact;
    const object = await root.send(new GetObjectCommand({ Bucket: process.env.LYCEUM_BACKUP_BUCKET!, Key: key }));
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    await root.send(new PutObjectCommand({ Bucket: process.env.LYCEUM_BACKUP_BUCKET!, Key: key, Body: bytes }));
    root.destroy();

    const restore = await apiAs(running.owner).instances.restore({ id: running.instance.id, backupId: backup!.id, confirm: running.instance.subdomain! });
    const failed = await waitForOperation(restore.operationId);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/failed verification: artifact .*objects\/0\.gz\.enc does not match its manifest.*Nothing was changed/);
    const [after] = await db.select().from(backups).where(eq(backups.id, backup!.id));
    expect(after).toMatchObject({ status: "failed" });
    expect(after!.error).toMatch(/does not match its manifest/);

    expect((await waitForStatus(running.instance.id, "running")).status).toBe("running");
    expect(await rowsOf(running)).toEqual(rowsBefore);
    expect(await bucketObjects(running)).toEqual(objectsBefore);
    expect((await backupsOfInstance(running.instance.id)).map((b) => b.kind)).toEqual(["manual"]);

    // A failed backup is not offered again.
    await expect(apiAs(running.owner).instances.restore({ id: running.instance.id, backupId: backup!.id, confirm: running.instance.subdomain! })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/only a verified backup can be restored/),
    });
  });

  it("refuses an owner's restore from another instance's backup", async () => {
    const [mine, theirs] = await Promise.all([runningInstance("Own School"), runningInstance("Other School")]);
    const { operationId } = await apiAs(theirs.owner).instances.backUp({ id: theirs.instance.id });
    expect(await waitForOperation(operationId)).toMatchObject({ status: "succeeded" });
    const [theirBackup] = await backupsOfInstance(theirs.instance.id);

    await expect(apiAs(mine.owner).instances.restore({ id: mine.instance.id, backupId: theirBackup!.id, confirm: mine.instance.subdomain! })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "No such backup of this instance.",
    });
    // Nor may they list or restore through the other instance.
    await expect(apiAs(mine.owner).instances.backups({ id: theirs.instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(apiAs(mine.owner).instances.restore({ id: theirs.instance.id, backupId: theirBackup!.id, confirm: theirs.instance.subdomain! })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const restores = await db.select().from(instanceOperations).where(eq(instanceOperations.kind, "restore"));
    expect(restores.filter((row) => [mine.instance.id, theirs.instance.id].includes(row.instanceId))).toEqual([]);
  });
});

describe("a clone", () => {
  it("is a new instance with every row, definition and object of the backup, and the source is untouched", async () => {
    const source = await runningInstance("Cloned Academy");
    const staff = await makeUser("staff");
    await writeInstanceData(source);
    const { operationId } = await apiAs(source.owner).instances.backUp({ id: source.instance.id });
    expect(await waitForOperation(operationId)).toMatchObject({ status: "succeeded" });
    const [backup] = await backupsOfInstance(source.instance.id);
    const rowsBefore = await rowsOf(source);
    const definitionsBefore = await vhostDefinitions(source.names.rabbitmq.vhost);
    const objectsBefore = await bucketObjects(source);

    // Owners cannot clone (the new instance would skip checkout); staff can, audited, into a valid free subdomain.
    await expect(apiAs(source.owner).staff.clone({ backupId: backup!.id, subdomain: `cl-${source.instance.resourceKey}`, reason: "copy" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(apiAs(staff).staff.clone({ backupId: backup!.id, subdomain: source.instance.subdomain!, reason: "copy for staging" })).rejects.toMatchObject({ message: expect.stringMatching(/taken|use/i) });
    await expect(apiAs(staff).staff.clone({ backupId: backup!.id, subdomain: "Not A Subdomain!", reason: "copy for staging" })).rejects.toBeTruthy();
    const subdomain = `cl-${source.instance.resourceKey}`;
    await apiAs(staff).staff.clone({ backupId: backup!.id, subdomain, reason: "copy for staging" });
    const [cloneRow] = await db.select().from(instances).where(eq(instances.subdomain, subdomain));
    expect(cloneRow).toMatchObject({ ownerId: source.owner.id, plan: source.instance.plan });
    const audited = await db.select().from(auditLog).where(and(eq(auditLog.action, "clone"), eq(auditLog.instanceId, source.instance.id)));
    expect(audited.map((entry) => entry.outcome).sort()).toEqual(["accepted", "refused", "refused"]);
    const cloned = await waitForStatus(cloneRow!.id, "running", 180_000);
    const clone = { owner: source.owner, instance: cloned, names: namesOf(cloned) };
    expect(clone.names.mysql.databases.map((d) => d.name)).not.toEqual(source.names.mysql.databases.map((d) => d.name));

    expect(await rowsOf(clone)).toEqual(rowsBefore);
    expect(await vhostDefinitions(clone.names.rabbitmq.vhost)).toEqual(definitionsBefore);
    expect(await bucketObjects(clone)).toEqual(objectsBefore);
    // The source is untouched, and it keeps serving.
    expect(await rowsOf(source)).toEqual(rowsBefore);
    expect(await vhostDefinitions(source.names.rabbitmq.vhost)).toEqual(definitionsBefore);
    expect(await bucketObjects(source)).toEqual(objectsBefore);
    expect((await waitForStatus(source.instance.id, "running")).status).toBe("running");
  }, 300_000);
});
