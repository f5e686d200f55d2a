// The daily backup schedule and retention pruning against the real services, with the time passed in: a due instance
// is backed up once, a busy one is deferred, and pruning deletes exactly what the plan does not keep, objects and rows.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { backups, instanceOperations, instances } = await import("@/db/schema");
const { startDueBackups, lastBackupSlot } = await import("@/server/backups/schedule");
const { pruneBackups } = await import("@/jobs/backups/prune");
const { backupStore } = await import("@/server/backups/store");
const { emptyManifest } = await import("@/server/backups/manifest");
const { newSealedBackupKey, openBackupKey } = await import("@/server/backups/keys");
const { readableOf } = await import("@/server/infra/backups/archive-store");
const { apiAs } = await import("./helpers/accounts");
const { registerWebGauges } = await import("@/server/observability/web-gauges");
const { metrics } = await import("@/server/observability/metrics");
const { fleetPage } = await import("@/server/staff/fleet");
const { fleetQueryInput } = await import("@/server/staff/fleet-input");
const { startApplyingChanges } = await import("@/server/instances/apply-changes");
const services = await import("./helpers/data-services");
const { registeredInstance, runningInstance } = await import("./helpers/instances");
const { operationEnded: waitForOperation } = await import("./helpers/operations");
const { runWorkerForThisFile } = await import("./helpers/file-worker");
runWorkerForThisFile();


async function operationsOf(instanceId: string) {
  return db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId));
}

/** A verified backup row taken at `createdAt`, with one real encrypted artifact in the backup bucket. */
async function storedBackup(instance: typeof instances.$inferSelect, createdAt: Date, kind: "scheduled" | "pre_deprovision" = "scheduled") {
  const id = crypto.randomUUID();
  const prefix = `instances/${instance.id}/${id}/`;
  const row = { id, instanceId: instance.id, kind, status: "verified" as const, bucket: backupStore().bucket, prefix, manifest: emptyManifest(instance), keySealed: newSealedBackupKey({ id, instanceId: instance.id }), createdAt, finishedAt: createdAt };
  await backupStore().write(`${prefix}rabbitmq/definitions.json.gz.enc`, readableOf(`{"day":"${createdAt.toISOString()}"}`), openBackupKey(row), undefined);
  await db.insert(backups).values(row);
  return row;
}

async function storedKeys(prefix: string) {
  const root = services.s3As();
  try {
    const { Contents = [] } = await root.send(new ListObjectsV2Command({ Bucket: process.env.LYCEUM_BACKUP_BUCKET!, Prefix: prefix }));
    return Contents.map((object) => object.Key!);
  } finally {
    root.destroy();
  }
}

const DAY_MS = 86_400_000;

describe("the daily backup schedule", () => {
  it("backs up a running instance once after its slot, and defers one that is busy with another operation", async () => {
    const running = await runningInstance("Scheduled Academy");
    const id = running.instance.id;
    // A slot at least a day ahead: a slot within an instance's first hour is skipped.
    const now = new Date(lastBackupSlot(id, new Date(Date.now() + 2 * DAY_MS)).getTime() + 60_000);
    expect((await startDueBackups(db, new Date(running.instance.createdAt.getTime() + 30 * 60_000))).started).not.toContain(id);

    // Busy: an owner's backup is under way, so the schedule starts nothing beside it.
    const manual = await apiAs(running.owner).instances.backUp({ id });
    const busy = await startDueBackups(db, now);
    expect(busy.deferred).toContain(id);
    expect(busy.started).not.toContain(id);
    await waitForOperation(manual.operationId);

    const due = await startDueBackups(db, now);
    expect(due.started).toContain(id);
    const scheduled = (await operationsOf(id)).find((operation) => operation.reason === "daily backup")!;
    expect(await waitForOperation(scheduled.id)).toMatchObject({ status: "succeeded", initiator: "system" });
    const [backup] = await db.select().from(backups).where(eq(backups.operationId, scheduled.id));
    expect(backup).toMatchObject({ kind: "scheduled", status: "verified" });

    // Prometheus and the staff fleet list see it: the gauge behind LyceumBackupMissing, and the row's age.
    registerWebGauges();
    const newest = Math.floor(Math.max(...(await db.select().from(backups).where(eq(backups.instanceId, id))).map((row) => row.finishedAt!.getTime())) / 1000);
    const exported = await metrics().registry.getSingleMetricAsString("lyceum_backup_last_success_timestamp_seconds");
    expect(exported).toContain(`lyceum_backup_last_success_timestamp_seconds{instance_id="${id}",subdomain="${running.instance.subdomain}"} ${newest}`);
    const fleet = await fleetPage(db, fleetQueryInput.parse({ search: running.instance.subdomain! }));
    expect(fleet.rows.find((row) => row.id === id)!.lastBackupAt!.getTime()).toBe(Math.max(...(await db.select().from(backups).where(eq(backups.instanceId, id))).map((row) => row.finishedAt!.getTime())));

    // Done for today: later runs of the day start nothing; the next day's slot does. (The row is dated at the
    // test's clock, which runs days ahead of the database's.)
    await db.update(backups).set({ createdAt: now }).where(eq(backups.operationId, scheduled.id));
    expect((await startDueBackups(db, new Date(now.getTime() + 3 * 3_600_000))).started).not.toContain(id);
    const tomorrow = await startDueBackups(db, new Date(now.getTime() + DAY_MS));
    expect(tomorrow.started).toContain(id);
    const next = (await operationsOf(id)).filter((operation) => operation.reason === "daily backup" && operation.id !== scheduled.id);
    expect(next).toHaveLength(1);
    await waitForOperation(next[0]!.id);
  });

  it("starts nothing for an instance that is not serving (awaiting payment, provisioning)", async () => {
    const { instance } = await registeredInstance(undefined, "Unpaid School");
    const outcome = await startDueBackups(db, new Date(lastBackupSlot(instance.id, new Date(Date.now() + 2 * DAY_MS)).getTime() + 60_000));
    expect([...outcome.started, ...outcome.deferred]).not.toContain(instance.id);
    expect(await operationsOf(instance.id)).toEqual([]);
  });
});

describe("backups before changes", () => {
  it("backs up before a redeploy (its new deployment migrates the databases) and before a plan change, and not before a settings push", async () => {
    const running = await runningInstance("Careful Academy");
    const id = running.instance.id;
    const redeploy = await apiAs(running.owner).instances.redeploy({ id });
    expect(await waitForOperation(redeploy.operationId, 180_000)).toMatchObject({ status: "succeeded" });
    const [beforeRedeploy] = await db.select().from(backups).where(eq(backups.operationId, redeploy.operationId));
    expect(beforeRedeploy).toMatchObject({ kind: "pre_redeploy", status: "verified" });
    expect(beforeRedeploy!.manifest.mysql!.databases.length).toBeGreaterThan(0);

    // A settings-only change takes no backup.
    const settings = await db.transaction((tx) => startApplyingChanges(tx, { instanceId: id, initiator: "owner", reason: "theme" }));
    expect(await waitForOperation(settings.id, 180_000)).toMatchObject({ status: "succeeded" });
    expect(await db.select().from(backups).where(eq(backups.operationId, settings.id))).toEqual([]);

    // Billing moved it to another plan: the operation that applies it backs up first.
    await db.update(instances).set({ plan: "growth" }).where(eq(instances.id, id));
    const planChange = await db.transaction((tx) => startApplyingChanges(tx, { instanceId: id, initiator: "billing", reason: "Billing: apply the Growth plan." }));
    expect(await waitForOperation(planChange.id, 180_000)).toMatchObject({ status: "succeeded" });
    const [beforePlanChange] = await db.select().from(backups).where(eq(backups.operationId, planChange.id));
    expect(beforePlanChange).toMatchObject({ kind: "pre_plan_change", status: "verified" });
  });
});

describe("pruning", () => {
  it("keeps exactly the 7 daily, 4 weekly and 3 monthly backups of a hundred days, and deletes the others' objects and rows", async () => {
    const { instance } = await registeredInstance(undefined, "Pruned School");
    await db.update(instances).set({ status: "running" }).where(eq(instances.id, instance.id));
    const now = new Date("2026-12-01T12:00:00Z");
    const made = [];
    for (let day = 99; day >= 0; day--) made.push(await storedBackup(instance, new Date(Date.UTC(2026, 11, 1 - day, 3))));

    const deleted = (await pruneBackups(db, now)).deleted.filter((d) => d.instanceId === instance.id);
    expect(deleted).toHaveLength(86);
    expect(deleted.every((d) => d.objects === 1)).toBe(true);
    const left = await db.select().from(backups).where(eq(backups.instanceId, instance.id));
    expect(left.map((row) => row.createdAt.toISOString().slice(0, 10)).sort().reverse()).toEqual([
      "2026-12-01", "2026-11-30", "2026-11-29", "2026-11-28", "2026-11-27", "2026-11-26", "2026-11-25",
      "2026-11-22", "2026-11-15", "2026-11-08", "2026-11-01",
      "2026-10-31", "2026-09-30", "2026-08-31",
    ]);
    // Objects go with their rows; the kept ones are still readable.
    const keptIds = new Set(left.map((row) => row.id));
    for (const row of made) expect(await storedKeys(row.prefix)).toHaveLength(keptIds.has(row.id) ? 1 : 0);

    // A second run the same day finds nothing more to delete.
    expect((await pruneBackups(db, now)).deleted.filter((d) => d.instanceId === instance.id)).toEqual([]);
  });

  it("keeps a deleted instance's final backup for the plan's 30 days, then deletes it", async () => {
    const { instance } = await registeredInstance(undefined, "Departed School");
    await db.update(instances).set({ status: "deprovisioned" }).where(eq(instances.id, instance.id));
    const finalAt = new Date("2026-11-01T10:00:00Z");
    const older = await storedBackup(instance, new Date("2026-10-31T03:00:00Z"));
    const final = await storedBackup(instance, finalAt, "pre_deprovision");

    await pruneBackups(db, new Date("2026-11-30T12:00:00Z"));
    const within = await db.select().from(backups).where(inArray(backups.id, [older.id, final.id]));
    expect(within.map((row) => row.kind).sort()).toEqual(["pre_deprovision", "scheduled"]);

    await pruneBackups(db, new Date("2026-12-01T11:00:00Z"));
    expect(await db.select().from(backups).where(and(eq(backups.instanceId, instance.id)))).toEqual([]);
    expect(await storedKeys(final.prefix)).toEqual([]);
  });
});
