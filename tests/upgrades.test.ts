// Upgrades and rollbacks against a real worker, real local servers and the real MariaDB: an upgrade boots its new
// release beside the serving one, whose migrations run from the new deployment only, passes the health gate and
// switches; a rollback restores the pre-upgrade backup (when migrations ran) and switches back, leaving the database
// exactly as it was backed up; a release whose new deployment never gets healthy leaves the old release serving
// with no failed request, and one that fails the health gate after its migrations ran leaves the database as the
// pre-upgrade backup; releases the instance may not move to are refused with reasons.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

// The release whose migration fails never answers /heartbeat: the wait gives up after this (its minimum).
process.env.HEARTBEAT_TIMEOUT_SECONDS = "30";
await isolatedDatabase();

const { db } = await import("@/db");
const { auditLog, backups, deployments, faultInjections, instanceOperations, instanceUpgrades, releases } = await import("@/db/schema");
const { retireUpgradeFallbacks } = await import("@/jobs/upgrades/retire-fallbacks");
const { ledgerFor } = await import("@/server/instances/ledger");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { injectFault, instanceRow, runningInstance } = await import("./helpers/instances");
const { operationEnded } = await import("./helpers/operations");
const { localCompute, runWorkerForThisFile } = await import("./helpers/file-worker");
const { eventually } = await import("./helpers/waiting");

runWorkerForThisFile();

type Running = Awaited<ReturnType<typeof runningInstance>>;
type ReleaseRow = typeof releases.$inferSelect;

let releaseCount = 0;
/** A release in the catalogue, added by staff through their audited action. */
async function addRelease(fields: { tutorVersion: string; status: ReleaseRow["status"]; migrations?: ReleaseRow["migrations"] }) {
  const staff = await makeUser("staff");
  const name = `test-${++releaseCount}-${randomUUID().slice(0, 6)}`;
  const result = await apiAs(staff).staff.addRelease({
    release: { name, tutorVersion: fields.tutorVersion, pluginVersions: { "tutor-mfe": "18.1.0", "tutor-indigo": "18.3.0" }, status: fields.status, migrations: fields.migrations ?? [], notes: "" },
    reason: "a release for the upgrade tests",
  });
  expect(result.outcome).toBe("accepted");
  return (await db.query.releases.findFirst({ where: eq(releases.name, name) }))!;
}

async function edxapp(running: Running) {
  const user = running.names.mysql.users.find((candidate) => candidate.role === "edxapp")!;
  const database = running.names.mysql.databases.find((candidate) => candidate.suffix === "edxapp")!.name;
  const ledger = ledgerFor(db, running.instance.id);
  const password = ledger.secretsOf((await ledger.find("mysql.user", user.name))!)!.password;
  return services.connectAsMysqlUser(user.name, password, database);
}

/** Every table of the edxapp database with a checksum of its rows: equal means the same data. */
async function snapshotOf(running: Running) {
  const connection = await edxapp(running);
  try {
    const [tables] = (await connection.query("SHOW TABLES")) as unknown as [Record<string, string>[]];
    const names = tables.map((row) => Object.values(row)[0]!).sort();
    const sums: Record<string, unknown> = {};
    for (const name of names) {
      const [rows] = (await connection.query(`CHECKSUM TABLE \`${name}\``)) as unknown as [{ Checksum: unknown }[]];
      sums[name] = rows[0]!.Checksum;
    }
    return sums;
  } finally {
    await connection.end();
  }
}

async function deploymentsOf(instanceId: string) {
  return db.select().from(deployments).where(eq(deployments.instanceId, instanceId)).orderBy(deployments.createdAt);
}

const upgradeOf = async (operationId: string) => (await db.query.instanceUpgrades.findFirst({ where: eq(instanceUpgrades.operationId, operationId) }))!;

describe("upgrading an instance to another release", () => {
  it("puts new instances on the default release and pins it in their deployment", async () => {
    const running = await runningInstance("Quince Academy");
    const quince = (await db.query.releases.findFirst({ where: eq(releases.name, "quince") }))!;
    expect(quince).toMatchObject({ status: "default", tutorVersion: "17.0.6", pluginVersions: { "tutor-mfe": "17.0.1", "tutor-indigo": "17.4.2" } });
    expect(running.instance.releaseId).toBe(quince.id);
    const [deployment] = await deploymentsOf(running.instance.id);
    expect(deployment).toMatchObject({ releaseId: quince.id });
    expect(deployment!.config!.release).toMatchObject({ name: "quince", tutorVersion: "17.0.6" });
  });

  it("runs the release's migration from the new deployment, and a rollback leaves the database exactly as the pre-upgrade backup", { timeout: 240_000 }, async () => {
    const running = await runningInstance("Upgraded Academy");
    const { owner, instance } = running;
    const quince = instance.releaseId!;
    const target = await addRelease({
      tutorVersion: "18.0.0",
      status: "supported",
      migrations: [{ id: "t-0001", databaseSuffix: "edxapp", sql: "CREATE TABLE IF NOT EXISTS release_made (id INT PRIMARY KEY); INSERT IGNORE INTO release_made VALUES (1);" }],
    });
    const before = await edxapp(running);
    await before.query("CREATE TABLE grades (id INT PRIMARY KEY, score INT)");
    await before.query("INSERT INTO grades VALUES (1, 90), (2, 75)");
    await before.end();
    const backedUp = await snapshotOf(running);
    const [serving] = await deploymentsOf(instance.id);

    // The owner sees the release as a choice, and upgrades.
    const options = await apiAs(owner).instances.releaseOptions({ id: instance.id });
    expect(options.current?.label).toBe("Quince (Tutor 17.0.6)");
    expect(options.targets.map((option) => option.id)).toContain(target.id);
    expect(options.rollback).toMatchObject({ isAvailable: false });
    const { operationId } = await apiAs(owner).instances.upgrade({ id: instance.id, releaseId: target.id });
    // One operation at a time.
    await expect(apiAs(owner).instances.redeploy({ id: instance.id })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await operationEnded(operationId, 120_000)).toMatchObject({ status: "succeeded" });

    const upgraded = await instanceRow(instance.id);
    const [old, fresh] = await deploymentsOf(instance.id);
    expect(upgraded.releaseId).toBe(target.id);
    expect(upgraded.activeDeploymentId).toBe(fresh!.id);
    expect(fresh).toMatchObject({ releaseId: target.id, status: "running", operationId });
    // The old deployment is the fallback: out of service, still up.
    expect(old).toMatchObject({ id: serving!.id, releaseId: quince, status: "running" });
    expect((await localCompute().listServers()).map((server) => server.serverId)).toEqual(expect.arrayContaining([old!.serverId, fresh!.serverId]));
    // The migration ran, from the new deployment, as the instance's migrate user.
    const migrated = await snapshotOf(running);
    expect(Object.keys(migrated).sort()).toEqual(["grades", "release_made"]);
    const upgrade = await upgradeOf(operationId);
    expect(upgrade).toMatchObject({ status: "upgraded", hasRunMigrations: true, fromDeploymentId: old!.id, toDeploymentId: fresh!.id });
    expect(upgrade.fallbackUntil!.getTime()).toBeGreaterThan(Date.now() + 71 * 3_600_000);
    const [backup] = await db.select().from(backups).where(eq(backups.id, upgrade.backupId!));
    expect(backup).toMatchObject({ kind: "pre_upgrade", status: "verified", operationId });
    const steps = (await db.query.operationSteps.findMany({ where: (t, { eq: equals }) => equals(t.operationId, operationId) })).map((step) => step.step);
    expect(steps).toEqual(expect.arrayContaining(["backup_before_upgrade", "boot_server", "wait_heartbeat", "release_migrations", "health_gate", "activate_deployment", "record_upgrade"]));

    // Written after the upgrade: the rollback's warning names it, and it goes with the restore.
    const after = await edxapp(running);
    await after.query("INSERT INTO grades VALUES (3, 60)");
    await after.end();
    const offer = await apiAs(owner).instances.releaseOptions({ id: instance.id });
    expect(offer.rollback).toMatchObject({ isAvailable: true, restoresBackup: true });
    await expect(apiAs(owner).instances.rollback({ id: instance.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining(`everything written since ${backup!.createdAt.toISOString()} is lost`),
    });
    const rollback = await apiAs(owner).instances.rollback({ id: instance.id, confirm: upgraded.subdomain! });
    expect(rollback.restoresBackup).toBe(true);
    expect(await operationEnded(rollback.operationId, 120_000)).toMatchObject({ status: "succeeded", backupId: backup!.id });

    expect(await snapshotOf(running)).toEqual(backedUp);
    const rolledBack = await instanceRow(instance.id);
    expect(rolledBack).toMatchObject({ releaseId: quince, activeDeploymentId: old!.id, status: "running" });
    const [, retired] = await deploymentsOf(instance.id);
    expect(retired).toMatchObject({ id: fresh!.id, status: "terminated" });
    expect((await localCompute().listServers()).map((server) => server.serverId)).not.toContain(fresh!.serverId);
    expect((await fetch(`http://${old!.address}/heartbeat`)).status).toBe(200);
    expect(await upgradeOf(operationId)).toMatchObject({ status: "rolled_back", rollbackOperationId: rollback.operationId });
    // Nothing left to roll back.
    await expect(apiAs(owner).instances.rollback({ id: instance.id, confirm: upgraded.subdomain! })).rejects.toThrow("There is no upgrade to roll back.");
  });

  it("rolls back an upgrade without migrations by a plain switch, and the sweep ends the rollback window", { timeout: 180_000 }, async () => {
    const running = await runningInstance("Plain Switch Academy");
    const { owner, instance } = running;
    const staff = await makeUser("staff");
    const target = await addRelease({ tutorVersion: "18.0.1", status: "supported" });
    const { operationId } = await apiAs(owner).instances.upgrade({ id: instance.id, releaseId: target.id });
    expect(await operationEnded(operationId, 120_000)).toMatchObject({ status: "succeeded" });
    expect(await upgradeOf(operationId)).toMatchObject({ hasRunMigrations: false });

    // Staff roll it back (audited): no backup to restore, so no confirmation either.
    const accepted = await apiAs(staff).staff.rollback({ instanceId: instance.id, reason: "the owner asked support" });
    expect(accepted.outcome).toBe("accepted");
    const rollback = (await db.query.instanceOperations.findFirst({ where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "rollback")) }))!;
    expect(await operationEnded(rollback.id, 120_000)).toMatchObject({ status: "succeeded", backupId: null });
    const restoreSteps = await db.query.operationSteps.findMany({ where: (t, { and: both, eq: equals }) => both(equals(t.operationId, rollback.id), equals(t.step, "restore_mysql")) });
    expect(restoreSteps[0]?.result).toContain("the upgrade ran no migrations: the data stays as it is");
    expect((await instanceRow(instance.id)).releaseId).toBe(instance.releaseId);
    const audit = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id));
    expect(audit.map(({ action, outcome }) => ({ action, outcome }))).toEqual([{ action: "rollback", outcome: "accepted" }]);

    // Upgraded again; once its fallback time is over the sweep retires the old deployment, and rollback is gone.
    const again = await apiAs(owner).instances.upgrade({ id: instance.id, releaseId: target.id });
    expect(await operationEnded(again.operationId, 120_000)).toMatchObject({ status: "succeeded" });
    const upgrade = await upgradeOf(again.operationId);
    expect(await retireUpgradeFallbacks(db, localCompute())).toMatchObject({ settled: 0 });
    await db.update(instanceUpgrades).set({ fallbackUntil: new Date(Date.now() - 1000) }).where(eq(instanceUpgrades.id, upgrade.id));
    expect(await retireUpgradeFallbacks(db, localCompute())).toMatchObject({ settled: 1, failures: [] });
    const [fallback] = await db.select().from(deployments).where(eq(deployments.id, upgrade.fromDeploymentId!));
    expect(fallback).toMatchObject({ status: "terminated" });
    expect((await localCompute().listServers()).map((server) => server.serverId)).not.toContain(fallback!.serverId);
    expect(await upgradeOf(again.operationId)).toMatchObject({ status: "settled" });
    await expect(apiAs(owner).instances.rollback({ id: instance.id })).rejects.toThrow("There is no upgrade to roll back.");
  });

  it("keeps the old release serving, with no failed request, when the new deployment fails its health gate", { timeout: 180_000 }, async () => {
    const running = await runningInstance("Failed Gate Academy");
    const { owner, instance } = running;
    const broken = await addRelease({
      tutorVersion: "18.0.2",
      status: "supported",
      migrations: [{ id: "broken-0001", databaseSuffix: "edxapp", sql: "ALTER TABLE no_such_table ADD COLUMN x INT;" }],
    });
    const [serving] = await deploymentsOf(instance.id);
    const { operationId } = await apiAs(owner).instances.upgrade({ id: instance.id, releaseId: broken.id });

    // The visitor's view throughout: the serving deployment answers every request.
    let requests = 0;
    const failures: string[] = [];
    let isDone = false;
    const poller = (async () => {
      while (!isDone) {
        requests++;
        const response = await fetch(`http://${serving!.address}/`, { signal: AbortSignal.timeout(5000) }).catch((error: Error) => error);
        if (response instanceof Error) failures.push(response.message);
        else if (response.status !== 200) failures.push(`HTTP ${response.status}`);
        else await response.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const operation = await operationEnded(operationId, 120_000).finally(async () => {
      isDone = true;
      await poller;
    });
    expect(operation.status).toBe("failed");
    // The heartbeat gate: the new release's only server kept answering 503.
    expect(operation.error).toMatch(/only 0 of 1 server\(s\) answered within \d+ s.*HTTP 503/);
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(20);

    const after = await instanceRow(instance.id);
    expect(after).toMatchObject({ status: "running", releaseId: instance.releaseId, activeDeploymentId: serving!.id });
    const [, failed] = await deploymentsOf(instance.id);
    expect(failed).toMatchObject({ releaseId: broken.id, status: "configuration_failed" });
    expect((await localCompute().listServers()).map((server) => server.serverId)).not.toContain(failed!.serverId);
    expect(await upgradeOf(operationId)).toMatchObject({ status: "failed" });
    const events = await db.query.instanceEvents.findMany({ where: (t, { eq: equals }) => equals(t.operationId, operationId) });
    expect(events.map((event) => event.message)).toEqual(expect.arrayContaining([expect.stringContaining("The instance keeps serving Quince (Tutor 17.0.6)")]));
    await expect(apiAs(owner).instances.rollback({ id: instance.id })).rejects.toThrow("There is no upgrade to roll back.");
  });

  it("restores the pre-upgrade backup when the health gate fails after the release's migrations ran", { timeout: 240_000 }, async () => {
    const running = await runningInstance("Restored Gate Academy");
    const { owner, instance } = running;
    const target = await addRelease({
      tutorVersion: "18.0.3",
      status: "supported",
      migrations: [{ id: "gate-0001", databaseSuffix: "edxapp", sql: "CREATE TABLE IF NOT EXISTS gate_made (id INT PRIMARY KEY); INSERT IGNORE INTO gate_made VALUES (1);" }],
    });
    const before = await edxapp(running);
    await before.query("CREATE TABLE enrolments (id INT PRIMARY KEY, learner VARCHAR(40))");
    await before.query("INSERT INTO enrolments VALUES (1, 'ada'), (2, 'grace')");
    await before.end();
    const backedUp = await snapshotOf(running);
    const [serving] = await deploymentsOf(instance.id);

    // The gate is held (a fault) while the new release's server, booted, migrated and healthy, goes down; when the
    // held attempt times out, the gate runs again and finds it down.
    await injectFault({ instanceId: instance.id, step: "health_gate", phase: "before", action: "hang", operationKind: "upgrade" });
    const { operationId } = await apiAs(owner).instances.upgrade({ id: instance.id, releaseId: target.id });
    await eventually(async () => {
      const [fault] = await db.select().from(faultInjections).where(eq(faultInjections.instanceId, instance.id));
      return fault?.lastHitAt ? true : undefined;
    }, 120_000, "the upgrade to reach its health gate");
    const [, fresh] = await deploymentsOf(instance.id);
    expect(Object.keys(await snapshotOf(running)).sort()).toEqual(["enrolments", "gate_made"]);
    await localCompute().stopServer(fresh!.serverId!);

    const operation = await operationEnded(operationId, 180_000);
    expect(operation.status).toBe("failed");
    // The database is the pre-upgrade backup again: no table of the new release, the rows from before intact.
    expect(await snapshotOf(running)).toEqual(backedUp);
    const upgrade = await upgradeOf(operationId);
    expect(operation.error).toMatch(/the health gate failed on deployment \w{8} \(heartbeat: connect ECONNREFUSED/);
    expect(operation.error).toContain(`the release's migrations had run, so the pre-upgrade backup ${upgrade.backupId!.slice(0, 8)}`);
    const check = await edxapp(running);
    const [rows] = await check.query("SELECT id, learner FROM enrolments ORDER BY id");
    await check.end();
    expect(rows).toEqual([{ id: 1, learner: "ada" }, { id: 2, learner: "grace" }]);
    // What the old release had written meanwhile is kept in a backup of its own, taken before the restore.
    const [current] = await db.select().from(backups).where(and(eq(backups.operationId, operationId), eq(backups.kind, "pre_restore")));
    expect(current).toMatchObject({ status: "verified" });

    // The old deployment serves, on the old release; the new one is gone.
    expect(await instanceRow(instance.id)).toMatchObject({ status: "running", releaseId: instance.releaseId, activeDeploymentId: serving!.id });
    expect((await fetch(`http://${serving!.address}/heartbeat`)).status).toBe(200);
    expect(await deploymentsOf(instance.id)).toMatchObject([{ id: serving!.id, status: "running" }, { id: fresh!.id, status: "terminated" }]);
    expect(upgrade).toMatchObject({ status: "failed", hasRunMigrations: true });
    const events = (await db.query.instanceEvents.findMany({ where: (t, { eq: equals }) => equals(t.operationId, operationId) })).map((event) => event.message);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.stringContaining("The release's migrations have already run: the pre-upgrade backup is restored, then the upgrade fails."),
        expect.stringMatching(/^Load the MySQL databases: loaded \d+ database/),
        expect.stringContaining("The instance keeps serving Quince (Tutor 17.0.6)"),
      ]),
    );
    await expect(apiAs(owner).instances.rollback({ id: instance.id })).rejects.toThrow("There is no upgrade to roll back.");
  });

  it("refuses unknown, end-of-life, preview (for owners), current and older releases", async () => {
    const { owner, instance } = await runningInstance("Picky Academy");
    const staff = await makeUser("staff");
    const upgrade = (releaseId: string) => apiAs(owner).instances.upgrade({ id: instance.id, releaseId });
    const quince = instance.releaseId!;
    const redwood = (await db.query.releases.findFirst({ where: eq(releases.name, "redwood") }))!;
    const retired = await addRelease({ tutorVersion: "19.0.0", status: "end_of_life" });
    const older = await addRelease({ tutorVersion: "16.2.0", status: "supported" });

    await expect(upgrade(randomUUID())).rejects.toThrow("There is no such release.");
    await expect(upgrade(retired.id)).rejects.toThrow(/is end of life: nothing new is deployed on it/);
    await expect(upgrade(redwood.id)).rejects.toThrow("Redwood (Tutor 18.2.2) is a preview: only Lyceum staff can deploy it for now.");
    await expect(upgrade(quince)).rejects.toThrow("The instance already runs Quince (Tutor 17.0.6).");
    await expect(upgrade(older.id)).rejects.toThrow(/is older than Quince \(Tutor 17\.0\.6\): an upgrade only goes forward; going back is a rollback/);
    // Staff are refused the same, with the reason in the audit log.
    const refused = await apiAs(staff).staff.upgrade({ instanceId: instance.id, releaseId: older.id, reason: "trying a downgrade" }).catch((error: Error) => error);
    expect(refused).toMatchObject({ code: "PRECONDITION_FAILED" });
    const [entry] = await db.select().from(auditLog).where(and(eq(auditLog.instanceId, instance.id), eq(auditLog.action, "upgrade")));
    expect(entry).toMatchObject({ outcome: "refused", detail: expect.stringContaining("is older than") });
    expect(await db.query.instanceOperations.findFirst({ where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "upgrade")) })).toBeUndefined();
  });
});

describe("the release catalogue", () => {
  it("takes only exact versions, keeps one default, and will not change the versions of a deployed release", async () => {
    const staff = await makeUser("staff");
    const base = { name: "floaty", pluginVersions: { "tutor-mfe": "18.1.0" }, status: "supported" as const, migrations: [], notes: "" };
    await expect(apiAs(staff).staff.addRelease({ release: { ...base, tutorVersion: ">=18,<19" }, reason: "a floating one" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(apiAs(staff).staff.addRelease({ release: { ...base, tutorVersion: "18.0.0", pluginVersions: { "tutor-mfe": "latest" } }, reason: "a floating plugin" })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const quince = (await db.query.releases.findFirst({ where: eq(releases.name, "quince") }))!;
    const edit = { name: quince.name, tutorVersion: quince.tutorVersion, pluginVersions: quince.pluginVersions, migrations: quince.migrations, notes: quince.notes };
    // The default stays until another takes its place.
    const demoted = await apiAs(staff).staff.changeRelease({ releaseId: quince.id, release: { ...edit, status: "supported" }, reason: "demote" }).catch((error: Error) => error);
    expect(demoted).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("mark another release default instead") });
    // Its versions are what its deployments run.
    await runningInstance("Pinned Academy");
    const repinned = await apiAs(staff).staff.changeRelease({ releaseId: quince.id, release: { ...edit, status: "default", tutorVersion: "17.0.7" }, reason: "repin" }).catch((error: Error) => error);
    expect(repinned).toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("is deployed: its versions cannot change") });
    // A new default takes the mark from the old one.
    const next = await addRelease({ tutorVersion: "18.5.0", status: "default" });
    expect((await db.query.releases.findFirst({ where: eq(releases.id, quince.id) }))!.status).toBe("supported");
    expect(next.status).toBe("default");
    const notes = await apiAs(staff).staff.changeRelease({ releaseId: quince.id, release: { ...edit, status: "supported", notes: "Upgrade to the new default." }, reason: "notes" });
    expect(notes).toMatchObject({ outcome: "accepted", summary: "Changed Quince (Tutor 17.0.6): notes." });
    const listed = await apiAs(staff).staff.releases();
    expect(listed.find((release) => release.id === quince.id)?.instanceCount).toBeGreaterThan(0);
    // Put back, for the tests that run after this one.
    await apiAs(staff).staff.changeRelease({ releaseId: quince.id, release: { ...edit, status: "default" }, reason: "restore default" });
  });
});
