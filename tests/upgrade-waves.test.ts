// Who upgrades when, against a real worker, real local servers and the real MariaDB: staff upgrade the fleet in
// waves that stop by themselves when a wave fails too often; "in window" upgrades wait for each instance's window;
// an instance on an end-of-life release is emailed once with a deadline, then upgraded in its window after it.
// The tests share one small fleet, in order: what the first leaves on the old release the next ones use.
// The sweeps are called here with the time they should see; the worker's crontab runs them at the real time too,
// which is why every window below is days away from the real one.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { startSmtpCatcher } from "./helpers/smtp-catcher";

await isolatedDatabase();
const catcher = await startSmtpCatcher();
process.env.LYCEUM_SMTP_URL = catcher.url;

const { db } = await import("@/db");
const { auditLog, endOfLifeNotices, instanceOperations, releases, upgradeRollouts, upgradeWaveInstances } = await import("@/db/schema");
const { advanceUpgradeRollouts } = await import("@/jobs/upgrades/advance-rollouts");
const { upgradeEndOfLifeInstances } = await import("@/jobs/upgrades/end-of-life");
const { apiAs, makeUser } = await import("./helpers/accounts");
const { injectFault, instanceRow, runningInstance } = await import("./helpers/instances");
const { operationEnded } = await import("./helpers/operations");
const { eventually } = await import("./helpers/waiting");
const { runWorkerForThisFile } = await import("./helpers/file-worker");

// Registered before the worker's teardown, so it runs after it (after-hooks run last-registered first).
afterAll(() => catcher.close());
runWorkerForThisFile();

type Running = Awaited<ReturnType<typeof runningInstance>>;
type ReleaseRow = typeof releases.$inferSelect;

const DAY_MS = 86_400_000;

async function addRelease(staff: Awaited<ReturnType<typeof makeUser>>, fields: { tutorVersion: string; status: ReleaseRow["status"] }) {
  const name = `wave-${randomUUID().slice(0, 6)}`;
  const result = await apiAs(staff).staff.addRelease({
    release: { name, tutorVersion: fields.tutorVersion, pluginVersions: { "tutor-mfe": "18.1.0" }, status: fields.status, migrations: [], notes: "" },
    reason: "a release for the wave tests",
  });
  expect(result.outcome).toBe("accepted");
  return (await db.query.releases.findFirst({ where: eq(releases.name, name) }))!;
}

/** The first time at or after `from` that falls on `dayOfWeek` (UTC) at `hour`:30. */
function nextAt(from: Date, dayOfWeek: number, hour: number) {
  const at = new Date(from);
  at.setUTCHours(hour, 30, 0, 0);
  while (at.getUTCDay() !== dayOfWeek || at < from) at.setTime(at.getTime() + DAY_MS);
  return at;
}

const upgradeOperationsOf = (instanceId: string) =>
  db.select().from(instanceOperations).where(and(eq(instanceOperations.instanceId, instanceId), eq(instanceOperations.kind, "upgrade")));

const realDay = new Date().getUTCDay();
const fleet: Running[] = [];

describe("who upgrades when", () => {
  it("a fleet wave stops at its failure threshold", { timeout: 300_000 }, async () => {
    const staff = await makeUser("staff");
    // One after the other: the order the rollout takes them in (oldest first).
    for (const name of ["Wave One", "Wave Two", "Wave Three"]) fleet.push(await runningInstance(`${name} Academy`));
    const quince = fleet[0]!.instance.releaseId!;
    const target = await addRelease(staff, { tutorVersion: "18.0.0", status: "supported" });
    // The second wave's only upgrade fails at its first step (the first wave's runs to the end).
    await injectFault({ instanceId: fleet[1]!.instance.id, operationKind: "upgrade", step: "backup_before_upgrade", message: "injected: the backup store is down" });

    const refused = await apiAs(staff)
      .staff.startRollout({ rollout: { toReleaseId: target.id, fromReleaseIds: [quince], plans: ["starter"], wavePercent: 0, failureThresholdPercent: 50, timing: "now" }, reason: "zero waves" })
      .catch((error: Error) => error);
    expect(refused).toMatchObject({ code: "BAD_REQUEST" });
    const started = await apiAs(staff).staff.startRollout({
      rollout: { toReleaseId: target.id, fromReleaseIds: [quince], plans: [], wavePercent: 25, failureThresholdPercent: 50, timing: "now" },
      reason: "move the fleet to 18.0.0",
    });
    expect(started).toMatchObject({ outcome: "accepted", summary: expect.stringContaining("3 instance(s), 1 per wave, upgraded at once") });

    const stopped = await eventually(async () => {
      await advanceUpgradeRollouts(db);
      const [rollout] = await db.select().from(upgradeRollouts);
      return rollout!.status === "running" ? undefined : rollout;
    }, 240_000, "the rollout to stop");
    expect(stopped).toMatchObject({ status: "stopped", stoppedReason: "Wave 2: 1 of 1 upgrade(s) failed (100%), more than the 50% threshold.", fleetSize: 3 });

    // Wave 1 upgraded the oldest instance, wave 2 failed on the next, and nobody else was touched.
    const [first, second, third] = await Promise.all(fleet.map((running) => instanceRow(running.instance.id)));
    expect(first!.releaseId).toBe(target.id);
    expect(second!.releaseId).toBe(quince);
    const [failedUpgrade] = await upgradeOperationsOf(second!.id);
    expect(failedUpgrade).toMatchObject({ status: "failed", initiator: "staff", requestedBy: staff.id });
    expect(third!.releaseId).toBe(quince);
    expect(await upgradeOperationsOf(third!.id)).toEqual([]);
    // The staff page's counts, and the stop in the audit log under the sweep's name.
    const [shown] = await apiAs(staff).staff.rollouts();
    expect(shown!.waves.map((wave) => ({ number: wave.number, status: wave.status, counts: wave.counts }))).toEqual([
      { number: 1, status: "passed", counts: { upgraded: 1 } },
      { number: 2, status: "failed", counts: { failed: 1 } },
    ]);
    const audit = await db.select().from(auditLog).orderBy(auditLog.createdAt);
    expect(audit.filter((entry) => entry.action.endsWith("upgrade_rollout")).map(({ action, actorEmail, outcome }) => ({ action, actorEmail, outcome }))).toEqual([
      { action: "start_upgrade_rollout", actorEmail: staff.email, outcome: "accepted" },
      { action: "stop_upgrade_rollout", actorEmail: "lyceum (automatic)", outcome: "accepted" },
    ]);
    // Stopped means stopped: more runs start nothing.
    await advanceUpgradeRollouts(db);
    expect(await upgradeOperationsOf(third!.id)).toEqual([]);
  });

  it("an instance outside its upgrade window is not upgraded until its window opens", { timeout: 180_000 }, async () => {
    const staff = await makeUser("staff");
    const windowed = await runningInstance("Windowed Academy");
    fleet.push(windowed);
    const target = (await db.query.releases.findFirst({ where: eq(releases.tutorVersion, "18.0.0") }))!;
    // Its owner picks a window three days from today, 10:00–12:00 UTC; the two left on Quince by the rollout above, five days.
    const setWindow = (running: Running, dayOfWeek: number) =>
      apiAs(running.owner).settings.setUpgradeWindow({ id: running.instance.id, window: { dayOfWeek, startHour: 10, hours: 2 } });
    await expect(apiAs(windowed.owner).settings.setUpgradeWindow({ id: windowed.instance.id, window: { dayOfWeek: 7, startHour: 10, hours: 2 } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await setWindow(windowed, (realDay + 3) % 7);
    for (const left of fleet.slice(1, 3)) await setWindow(left, (realDay + 5) % 7);
    expect(await apiAs(windowed.owner).settings.upgradeWindow({ id: windowed.instance.id })).toMatchObject({ chosen: { dayOfWeek: (realDay + 3) % 7, startHour: 10, hours: 2 } });
    // Someone else's instance: not found, like every other instance procedure.
    await expect(apiAs(fleet[2]!.owner).settings.setUpgradeWindow({ id: windowed.instance.id, window: null })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The upgrade itself is upgrades.test.ts's: here it only has to start, and fails at its first step.
    await injectFault({ instanceId: windowed.instance.id, operationKind: "upgrade", step: "backup_before_upgrade", message: "injected: ends the upgrade early" });

    const accepted = await apiAs(staff).staff.startRollout({
      rollout: { toReleaseId: target.id, fromReleaseIds: [], plans: [], wavePercent: 100, failureThresholdPercent: 100, timing: "in_window" },
      reason: "the rest of the fleet, in their windows",
    });
    expect(accepted.outcome).toBe("accepted");
    const rollout = (await db.query.upgradeRollouts.findFirst({ where: eq(upgradeRollouts.status, "running") }))!;
    const outside = [fleet[1]!, fleet[2]!];
    const upgradesBefore = async () => Promise.all(outside.map(async (running) => (await upgradeOperationsOf(running.instance.id)).length));
    const before = await upgradesBefore();
    const now = new Date();
    await advanceUpgradeRollouts(db, now);
    await advanceUpgradeRollouts(db, nextAt(now, (realDay + 3) % 7, 9)); // the hour before it opens
    await advanceUpgradeRollouts(db, nextAt(now, (realDay + 3) % 7, 12)); // the hour after it closed
    expect(await upgradeOperationsOf(windowed.instance.id)).toEqual([]);
    const waiting = await db.select().from(upgradeWaveInstances).where(eq(upgradeWaveInstances.rolloutId, rollout.id));
    expect(waiting.map((member) => member.status)).toEqual(["waiting", "waiting", "waiting"]);

    await advanceUpgradeRollouts(db, nextAt(now, (realDay + 3) % 7, 11));
    const [upgrade] = await upgradeOperationsOf(windowed.instance.id);
    expect(upgrade).toMatchObject({ initiator: "staff", reason: expect.stringContaining("wave 1") });
    expect(await upgradesBefore()).toEqual(before);
    expect(await operationEnded(upgrade!.id, 60_000)).toMatchObject({ status: "failed" });

    // Staff stop it (audited): those whose windows never opened are not started; the one that ran is settled.
    await apiAs(staff).staff.stopRollout({ rolloutId: rollout.id, reason: "enough for this week" });
    await advanceUpgradeRollouts(db, now);
    const members = await db.select().from(upgradeWaveInstances).where(eq(upgradeWaveInstances.rolloutId, rollout.id));
    expect(members.map((member) => member.status).sort()).toEqual(["failed", "not_started", "not_started"]);
    expect((await db.query.upgradeRollouts.findFirst({ where: eq(upgradeRollouts.id, rollout.id) }))!).toMatchObject({ status: "stopped", stoppedReason: "Stopped by staff: enough for this week" });
  });

  it("emails an instance on an end-of-life release once, with the deadline, and upgrades it in its window after the deadline", { timeout: 180_000 }, async () => {
    const staff = await makeUser("staff");
    const windowed = fleet[3]!;
    const windowDay = (realDay + 3) % 7;
    const quince = (await db.query.releases.findFirst({ where: eq(releases.name, "quince") }))!;
    // A new default takes Quince's place, and Quince reaches end of life.
    const successor = await addRelease(staff, { tutorVersion: "18.5.0", status: "default" });
    const edit = { name: quince.name, tutorVersion: quince.tutorVersion, pluginVersions: quince.pluginVersions, migrations: quince.migrations, notes: "Moved off." };
    expect(await apiAs(staff).staff.changeRelease({ releaseId: quince.id, release: { ...edit, status: "end_of_life" }, reason: "Quince is end of life" })).toMatchObject({ outcome: "accepted" });

    const toldAt = new Date();
    await upgradeEndOfLifeInstances(db, toldAt);
    const email = await catcher.waitFor(windowed.owner.email, /end of life/);
    const [notice] = await db.select().from(endOfLifeNotices).where(eq(endOfLifeNotices.instanceId, windowed.instance.id));
    expect(notice!.deadline.getTime() - notice!.emailedAt.getTime()).toBe(30 * DAY_MS);
    const deadline = notice!.deadline.toISOString().replace(".000Z", "Z");
    expect(email.subject).toBe(`"Windowed Academy" runs Quince (Tutor 17.0.6), which has reached end of life: upgrade before ${deadline.slice(0, 10)}`);
    expect(email.text).toContain(`Upgrade it before ${deadline}`);
    expect(email.text).toContain(`Lyceum upgrades it to ${successor.name.charAt(0).toUpperCase()}${successor.name.slice(1)} (Tutor 18.5.0) in its upgrade window`);

    // Told once: later runs, before the deadline even in its window, neither email again nor upgrade.
    await upgradeEndOfLifeInstances(db, new Date(toldAt.getTime() + 60_000));
    await upgradeEndOfLifeInstances(db, nextAt(toldAt, windowDay, 11));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(catcher.received.filter((mail) => mail.to.includes(windowed.owner.email) && /end of life/.test(mail.subject))).toHaveLength(1);
    expect(await db.select().from(endOfLifeNotices).where(eq(endOfLifeNotices.instanceId, windowed.instance.id))).toHaveLength(1);
    const before = (await upgradeOperationsOf(windowed.instance.id)).length;

    // After the deadline, outside its window: still nothing; in its window: Lyceum upgrades it to the default.
    await upgradeEndOfLifeInstances(db, nextAt(notice!.deadline, windowDay, 15));
    expect(await upgradeOperationsOf(windowed.instance.id)).toHaveLength(before);
    await injectFault({ instanceId: windowed.instance.id, operationKind: "upgrade", step: "backup_before_upgrade", message: "injected: ends the upgrade early" });
    const report = await upgradeEndOfLifeInstances(db, nextAt(notice!.deadline, windowDay, 11));
    expect(report.upgradesStarted).toBe(1);
    const operations = await upgradeOperationsOf(windowed.instance.id);
    expect(operations).toHaveLength(before + 1);
    const upgrade = operations.find((operation) => operation.initiator === "system")!;
    expect(upgrade).toMatchObject({ requestedBy: null, reason: expect.stringContaining("Quince (Tutor 17.0.6) is end of life") });
    const row = await db.query.instanceUpgrades.findFirst({ where: (t, { eq: equals }) => equals(t.operationId, upgrade.id) });
    expect(row).toMatchObject({ toReleaseId: successor.id });
    expect((await db.select().from(endOfLifeNotices).where(eq(endOfLifeNotices.instanceId, windowed.instance.id)))[0]).toMatchObject({ upgradeOperationId: upgrade.id });
    expect(await operationEnded(upgrade.id, 60_000)).toMatchObject({ status: "failed" });
  });
});
