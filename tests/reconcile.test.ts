// Reconcile against the real MariaDB, RabbitMQ, S3 server and local compute: it finds exactly the orphans made
// behind the ledger's back and the ghost whose database was dropped, touches nothing without the portal's
// prefix, and its clean-up removes those orphans and nothing else.
import { randomBytes, randomUUID } from "node:crypto";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { auditLog, reconcileReports } = await import("@/db/schema");
const { reconcile_resources } = await import("@/jobs/tasks/reconcile_resources");
const { env } = await import("@/server/env");
const { infra } = await import("@/server/infra");
const { reconcileResources } = await import("@/server/reconcile/run");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { queuedEmailsTo } = await import("./helpers/jobs");
const { namePrefixOf, runningInstance } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

const { localCompute: compute, runWorkerForThisFile } = await import("./helpers/file-worker");
const prefix = process.env.LYCEUM_RESOURCE_PREFIX!;

runWorkerForThisFile();

const randomKey = () => randomBytes(6).toString("hex");

async function rabbitAdmin(method: string, path: string, body?: unknown) {
  const url = new URL(process.env.RABBITMQ_MANAGEMENT_URL ?? "http://guest:guest@127.0.0.1:15672");
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`;
  const response = await fetch(new URL(`/api${path}`, url.origin), {
    method,
    headers: { authorization, "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok && response.status !== 404) throw new Error(`${method} ${path}: ${response.status}`);
}

async function latestReportAfter(startedAfter: Date) {
  return eventually(async () => {
    const report = await db.query.reconcileReports.findFirst({ orderBy: (t, { desc }) => desc(t.startedAt) });
    return report?.finishedAt && report.startedAt >= startedAfter ? report : undefined;
  }, 30_000, "a finished reconcile report");
}

async function everythingOf(instance: { resourceKey: string }) {
  const namePrefix = namePrefixOf(instance);
  return {
    mysql: await services.mysqlResourcesStartingWith(`${namePrefix}_`),
    vhosts: await services.rabbitVhostsStartingWith(namePrefix),
    rabbitUsers: (await services.rabbitUsersStartingWith(namePrefix)).map((user) => user.name),
    buckets: await services.bucketsStartingWith(`${prefix}-${instance.resourceKey}`),
  };
}

describe("reconcile", () => {
  it("lists exactly the orphans and ghosts, ignores foreign names, and its clean-up removes only those orphans", async () => {
    const [{ instance: damaged, names }, { instance: healthy }] = await Promise.all([runningInstance("Damaged Academy"), runningInstance("Healthy School")]);
    const staff = await makeUser("staff");

    // Orphans: an instance's worth of resources that no ledger knows (a teardown that crashed before recording,
    // say), and a server with no deployment behind it.
    const orphanKey = randomKey();
    const orphanDatabase = `${prefix}_${orphanKey}_edxapp`;
    const orphanVhost = `${prefix}_${orphanKey}`;
    const orphanBucket = `${prefix}-${orphanKey}`;
    // Foreign: names that start like ours but are not Lyceum's pattern for this prefix.
    const foreignDatabase = `${prefix}x_${orphanKey}_edxapp`;
    const foreignVhost = `${prefix}_not-a-key`;
    await services.withMysqlAdmin(async (connection) => {
      await connection.query("CREATE DATABASE ??", [orphanDatabase]);
      await connection.query("CREATE DATABASE ??", [foreignDatabase]);
    });
    await rabbitAdmin("PUT", `/vhosts/${encodeURIComponent(orphanVhost)}`, {});
    await rabbitAdmin("PUT", `/vhosts/${encodeURIComponent(foreignVhost)}`, {});
    const s3 = services.s3As();
    await s3.send(new CreateBucketCommand({ Bucket: orphanBucket }));
    s3.destroy();
    // A DNS record for a subdomain no instance has, and the zone's own records, which are not ours to judge.
    const { dns } = infra();
    const orphanRecord = `orphan-${orphanKey}.${env().LYCEUM_BASE_DOMAIN}`;
    await dns.ensureRecordSet({ name: orphanRecord, type: "A", values: [env().LYCEUM_INGRESS_IPV4], ttl: 300 });
    const foreignRecords = [
      { name: `mail-${orphanKey}.${env().LYCEUM_BASE_DOMAIN}`, type: "A" as const, values: ["192.0.2.10"], ttl: 300 },
      { name: `_dmarc-${orphanKey}.${env().LYCEUM_BASE_DOMAIN}`, type: "TXT" as const, values: ["v=DMARC1; p=none"], ttl: 300 },
    ];
    for (const record of foreignRecords) await dns.ensureRecordSet(record);
    const strayServer = await compute().ensureServer({ deploymentId: randomUUID(), instanceId: randomUUID(), siteConfig: { instanceName: "Stray" } });
    // A ghost: one of the damaged instance's databases dropped behind the ledger's back.
    const droppedDatabase = names.mysql.databases[0]!.name;
    await services.withMysqlAdmin((connection) => connection.query("DROP DATABASE ??", [droppedDatabase]));
    const healthyBefore = await everythingOf(healthy);
    const damagedBefore = await everythingOf(damaged);

    const ranAt = new Date(Date.now() - 1000);
    await apiAs(staff).staff.runReconcile();
    const report = await latestReportAfter(ranAt);
    expect(report).toMatchObject({ trigger: "staff", requestedBy: staff.id, errors: [] });
    expect(report.orphans.map(({ kind, externalId }) => `${kind} ${externalId}`).sort()).toEqual(
      [
        `mysql.database ${orphanDatabase}`,
        `rabbitmq.vhost ${orphanVhost}`,
        `s3.bucket ${orphanBucket}`,
        `compute.server ${strayServer.serverId}`,
        `dns.record ${orphanRecord} A`,
      ].sort(),
    );
    expect(report.orphans.every((orphan) => orphan.instanceId === null)).toBe(true);
    expect(report.ghosts).toEqual([
      { kind: "mysql.database", externalId: droppedDatabase, instanceId: damaged.id, entryId: expect.any(String) },
    ]);
    expect(report.inventories.map((inventory) => inventory.kind).sort()).toEqual(
      ["compute.server", "dns.record", "mysql.database", "mysql.user", "rabbitmq.user", "rabbitmq.vhost", "s3.bucket"].sort(),
    );
    // Staff see it on the page's query.
    expect((await apiAs(staff).staff.reconcileReport())?.id).toBe(report.id);
    await expect(apiAs(await makeUser()).staff.reconcileReport()).rejects.toMatchObject({ code: "FORBIDDEN" });

    const accepted = await apiAs(staff).staff.cleanUpOrphans({ reportId: report.id, reason: "left over from a crashed teardown" });
    expect(accepted.summary).toContain("5 orphan(s)");
    const cleaned = await eventually(async () => {
      const row = await db.query.reconcileReports.findFirst({ where: eq(reconcileReports.id, report.id) });
      return row?.cleanupFinishedAt ? row : undefined;
    }, 30_000, "the clean-up to finish");
    expect(cleaned.cleanup?.map(({ externalId, outcome }) => ({ externalId, outcome })).sort((a, b) => (a.externalId < b.externalId ? -1 : 1))).toEqual(
      [orphanDatabase, orphanVhost, orphanBucket, strayServer.serverId, `${orphanRecord} A`].sort().map((externalId) => ({ externalId, outcome: "removed" })),
    );

    // The orphans are gone…
    expect((await services.mysqlResourcesStartingWith(orphanDatabase)).databases).toEqual([]);
    expect(await services.rabbitVhostsStartingWith(orphanVhost)).toEqual([]);
    expect(await services.bucketsStartingWith(orphanBucket)).toEqual([]);
    expect((await compute().listServers()).map((server) => server.serverId)).not.toContain(strayServer.serverId);
    const recordsLeft = await dns.listRecordSets();
    expect(recordsLeft.map((record) => record.name)).not.toContain(orphanRecord);
    for (const record of foreignRecords) expect(recordsLeft).toContainEqual(record);
    // …and nothing else moved: the foreign names, both instances' resources, their servers.
    expect((await services.mysqlResourcesStartingWith(foreignDatabase)).databases).toEqual([foreignDatabase]);
    expect(await services.rabbitVhostsStartingWith(foreignVhost)).toEqual([foreignVhost]);
    expect(await everythingOf(healthy)).toEqual(healthyBefore);
    expect(await everythingOf(damaged)).toEqual(damagedBefore);
    for (const instance of [damaged, healthy]) {
      const deployment = await db.query.deployments.findFirst({ where: (t, { eq: equals }) => equals(t.id, instance.activeDeploymentId!) });
      expect((await fetch(`http://${deployment!.address}/heartbeat`)).status).toBe(200);
    }

    // Audited, once per report.
    await expect(apiAs(staff).staff.cleanUpOrphans({ reportId: report.id, reason: "again" })).rejects.toThrow("already requested");
    const audit = await db.select().from(auditLog).where(eq(auditLog.action, "clean_up_orphans"));
    expect(audit.map(({ outcome, actorId }) => ({ outcome, actorId }))).toEqual(
      expect.arrayContaining([
        { outcome: "accepted", actorId: staff.id },
        { outcome: "refused", actorId: staff.id },
      ]),
    );

    // The scheduled run still sees the ghost (clean-up never touches ledger entries) and emails staff.
    const scheduledAt = new Date(Date.now() - 1000);
    await reconcile_resources({}, { logger: { info() {} }, abortSignal: undefined } as unknown as Parameters<typeof reconcile_resources>[1]);
    const scheduled = await latestReportAfter(scheduledAt);
    expect(scheduled).toMatchObject({ trigger: "schedule", orphans: [] });
    expect(scheduled.ghosts.map((ghost) => ghost.externalId)).toEqual([droppedDatabase]);
    const alerts = await queuedEmailsTo(env().staffAlertEmails[0]!);
    expect(alerts.find((email) => email.subject === "[Lyceum] reconcile found 0 orphan(s) and 1 ghost(s)")?.text).toContain(droppedDatabase);

    await services.withMysqlAdmin((connection) => connection.query("DROP DATABASE IF EXISTS ??", [foreignDatabase]));
    await rabbitAdmin("DELETE", `/vhosts/${encodeURIComponent(foreignVhost)}`);
  });

  it("reports a backend it cannot list as an error and calls none of its ledger entries a ghost", async () => {
    await runningInstance("Unreachable Academy");
    const real = infra();
    const unreachable = Object.assign(Object.create(real.rabbitmq) as typeof real.rabbitmq, {
      listVhosts: async () => {
        throw new Error("list RabbitMQ vhosts: management API at http://127.0.0.1:15672 unreachable (ECONNREFUSED)");
      },
      listUsers: async () => {
        throw new Error("list RabbitMQ users: management API at http://127.0.0.1:15672 unreachable (ECONNREFUSED)");
      },
    });
    const report = await reconcileResources(db, { ...real, rabbitmq: unreachable }, env(), { trigger: "schedule" });
    expect(report.errors.map((error) => error.kind).sort()).toEqual(["rabbitmq.user", "rabbitmq.vhost"]);
    expect(report.ghosts.filter((ghost) => ghost.kind.startsWith("rabbitmq."))).toEqual([]);
    expect(report.inventories.map((inventory) => inventory.kind)).not.toContain("rabbitmq.vhost");
    expect(report.inventories.map((inventory) => inventory.kind)).toContain("mysql.database");
  });
});
