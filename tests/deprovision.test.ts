// Deprovisioning against the real services: every resource of the instance goes, nothing of another one does.
import { DeleteObjectCommand, HeadBucketCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import amqp from "amqplib";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { auditLog, deployments, instanceOperations, instanceResources } = await import("@/db/schema");
const { streamInstanceEvents } = await import("@/server/events/stream");
const { ledgerFor } = await import("@/server/instances/ledger");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { namePrefixOf, runningInstance, waitForStatus } = await import("./helpers/instances");

const { localCompute: compute, runWorkerForThisFile } = await import("./helpers/file-worker");
runWorkerForThisFile();

async function bucketKeyOf(instanceId: string) {
  const ledger = ledgerFor(db, instanceId);
  const [entry] = await ledger.list("s3.access_key");
  return { accessKeyId: entry!.externalId, secretAccessKey: ledger.secretsOf(entry!)!.secretAccessKey };
}

async function serverIdsOf(instanceId: string) {
  const rows = await db.select().from(deployments).where(eq(deployments.instanceId, instanceId));
  return rows.map((row) => `local-${row.id}`);
}

describe("deprovisioning", () => {
  it("removes every bucket, key, database, user, vhost and server of the instance, live, and leaves the other instance untouched", async () => {
    const [doomed, survivor] = await Promise.all([runningInstance("Doomed Academy"), runningInstance("Surviving School")]);
    const staff = await makeUser("staff");
    const doomedServers = await serverIdsOf(doomed.instance.id);
    // A bucket with history: two versions of one object and a delete marker on another.
    const doomedKey = await bucketKeyOf(doomed.instance.id);
    const writer = services.s3As(doomedKey);
    const bucket = doomed.names.objectStorage.bucket;
    await writer.send(new PutObjectCommand({ Bucket: bucket, Key: "course.tar.gz", Body: "v1" }));
    await writer.send(new PutObjectCommand({ Bucket: bucket, Key: "course.tar.gz", Body: "v2" }));
    await writer.send(new PutObjectCommand({ Bucket: bucket, Key: "logs/tracking/old.log", Body: "{}" }));
    await writer.send(new DeleteObjectCommand({ Bucket: bucket, Key: "logs/tracking/old.log" }));
    expect((await compute().listServers()).map((s) => s.serverId)).toEqual(expect.arrayContaining(doomedServers));

    const controller = new AbortController();
    const seen: { kind: string; step: string | null; message: string; data: unknown }[] = [];
    const lastSeq = (await db.query.instances.findFirst({ where: (t, { eq }) => eq(t.id, doomed.instance.id) }))!.lastEventSeq;
    const watching = (async () => {
      for await (const event of streamInstanceEvents(doomed.instance.id, lastSeq, controller.signal)) {
        seen.push(event);
        if (event.kind === "status_changed" && ["deprovisioned", "failed"].includes((event.data as { to: string }).to)) break;
      }
    })();
    await apiAs(staff).staff.deprovision({ instanceId: doomed.instance.id, confirm: doomed.instance.subdomain, reason: "test teardown" });
    await watching;
    controller.abort();

    expect(seen.filter((e) => e.kind === "status_changed").map((e) => (e.data as { to: string }).to)).toEqual(["deprovisioning", "deprovisioned"]);
    expect(seen.filter((e) => e.kind === "step_succeeded").map((e) => e.step)).toEqual([
      "final_backup",
      "remove_certificates",
      "remove_dns",
      "stop_servers",
      "remove_services_server",
      "remove_tutor_secrets",
      "remove_mail_relay",
      "remove_elasticsearch",
      "remove_object_storage",
      "remove_rabbitmq",
      "remove_mongodb",
      "remove_mysql",
      "verify_removed",
      "sync_load_balancer",
    ]);

    // Nothing of it is left on the real services…
    const prefix = namePrefixOf(doomed.instance);
    expect(await services.mysqlResourcesStartingWith(`${prefix}_`)).toEqual({ databases: [], users: [], hosts: [] });
    expect(await services.rabbitVhostsStartingWith(prefix)).toEqual([]);
    expect(await services.rabbitUsersStartingWith(prefix)).toEqual([]);
    expect(seen.find((e) => e.step === "remove_object_storage" && e.kind === "step_succeeded")?.message).toContain("with 4 object versions");
    expect(await services.bucketsStartingWith(`${process.env.LYCEUM_RESOURCE_PREFIX}-${doomed.instance.resourceKey}`)).toEqual([]);
    await expect(services.s3As().send(new HeadBucketCommand({ Bucket: bucket }))).rejects.toMatchObject({ name: "NotFound" });
    expect(await services.scopedKeysNamed(doomed.names.objectStorage.iamUser)).toEqual([]);
    await expect(writer.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({ name: "InvalidAccessKeyId" });
    writer.destroy();
    const upNow = (await compute().listServers()).map((s) => s.serverId);
    for (const serverId of doomedServers) expect(upNow).not.toContain(serverId);
    // …and the ledger says so, row by row.
    const ledger = await db.select().from(instanceResources).where(eq(instanceResources.instanceId, doomed.instance.id));
    expect(ledger.length).toBeGreaterThan(10);
    expect(ledger.filter((row) => row.deletedAt === null)).toEqual([]);
    const doomedDeployments = await db.select().from(deployments).where(eq(deployments.instanceId, doomed.instance.id));
    expect(doomedDeployments.map((d) => d.status)).toEqual(doomedDeployments.map(() => "terminated"));
    const operation = await db.query.instanceOperations.findFirst({
      where: (t, { and, eq }) => and(eq(t.instanceId, doomed.instance.id), eq(t.kind, "deprovision")),
    });
    expect(operation).toMatchObject({ status: "succeeded", requestedBy: staff.id });

    // The other instance still has everything, and its credentials still work.
    const other = namePrefixOf(survivor.instance);
    const left = await services.mysqlResourcesStartingWith(`${other}_`);
    expect(left.databases).toEqual(survivor.names.mysql.databases.map((d) => d.name).sort());
    expect(left.users).toEqual(survivor.names.mysql.users.map((u) => u.name).sort());
    expect(await services.rabbitVhostsStartingWith(other)).toEqual([survivor.names.rabbitmq.vhost]);
    const ledgerB = ledgerFor(db, survivor.instance.id);
    const edxapp = survivor.names.mysql.users.find((u) => u.role === "edxapp")!;
    const edxappPassword = ledgerB.secretsOf((await ledgerB.find("mysql.user", edxapp.name))!)!.password;
    await (await services.connectAsMysqlUser(edxapp.name, edxappPassword, edxapp.databases[0])).end();
    const rabbitPassword = ledgerB.secretsOf((await ledgerB.find("rabbitmq.user", survivor.names.rabbitmq.user))!)!.password;
    await (await amqp.connect(services.amqpUrlFor(survivor.names.rabbitmq.user, rabbitPassword, survivor.names.rabbitmq.vhost))).close();
    const survivorStorage = services.s3As(await bucketKeyOf(survivor.instance.id));
    await survivorStorage.send(new ListObjectsV2Command({ Bucket: survivor.names.objectStorage.bucket }));
    survivorStorage.destroy();
    const survivorDeployment = (await db.query.deployments.findFirst({ where: eq(deployments.id, survivor.instance.activeDeploymentId!) }))!;
    expect((await fetch(`http://${survivorDeployment.address}/heartbeat`)).status).toBe(200);
  });

  it("is for staff only, with the subdomain typed out, and every attempt is in the audit log", async () => {
    const { owner, instance } = await runningInstance("Kept School");
    await expect(
      apiAs(owner).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain, reason: "test teardown" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const staff = await makeUser("staff");
    await expect(apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: "something-else", reason: "test teardown" })).rejects.toThrow(
      `Type the subdomain "${instance.subdomain}" to confirm.`,
    );
    expect((await waitForStatus(instance.id, "running")).status).toBe("running");
    const operations = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instance.id));
    expect(operations.map((o) => o.kind)).toEqual(["provision"]);

    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain, reason: "the school closed" });
    await waitForStatus(instance.id, "deprovisioned");
    const audit = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id));
    expect(audit.map(({ action, outcome, reason, actorId }) => ({ action, outcome, reason, actorId }))).toEqual(
      expect.arrayContaining([
        { action: "deprovision", outcome: "refused", reason: "test teardown", actorId: staff.id },
        { action: "deprovision", outcome: "accepted", reason: "the school closed", actorId: staff.id },
      ]),
    );
  });

  it("finishes when some resources were already removed by hand, and says which", async () => {
    const { instance, names } = await runningInstance("Half Gone");
    // Someone dropped a database and the vhost by hand: teardown must still finish.
    await services.withMysqlAdmin((c) => c.query("DROP DATABASE ??", [names.mysql.databases[0]!.name]));
    const staff = await makeUser("staff");
    await fetch(new URL(`/api/vhosts/${names.rabbitmq.vhost}`, "http://127.0.0.1:15672"), {
      method: "DELETE",
      headers: { authorization: `Basic ${Buffer.from("guest:guest").toString("base64")}` },
    });
    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain!.toUpperCase(), reason: "test teardown" });
    await waitForStatus(instance.id, "deprovisioned");
    expect(await services.mysqlResourcesStartingWith(`${namePrefixOf(instance)}_`)).toEqual({ databases: [], users: [], hosts: [] });
    const events = await db.query.instanceEvents.findMany({ where: (t, { eq }) => eq(t.instanceId, instance.id) });
    expect(events.find((e) => e.step === "remove_rabbitmq" && e.kind === "step_succeeded")?.message).toContain("1 already gone");
    // The final backup holds the rest, and says what it could not hold.
    const final = await db.query.backups.findFirst({ where: (t, { eq }) => eq(t.instanceId, instance.id) });
    expect(final).toMatchObject({ kind: "pre_deprovision", status: "verified" });
    expect(final!.manifest.notes).toEqual(
      expect.arrayContaining([
        `MySQL database ${names.mysql.databases[0]!.name} is not in this backup: it no longer exists on the server.`,
        `RabbitMQ vhost ${names.rabbitmq.vhost} is not in this backup: it no longer exists on the server.`,
      ]),
    );
  });
});
