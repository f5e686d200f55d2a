// The sweep that moves fleet rollouts on (every minute, and at once when staff start one): it settles each wave's
// upgrades from their operations, stops the rollout when a wave's failure rate passes its threshold, starts the
// upgrades whose time has come (now, or in the instance's window), and starts the next wave when one has ended.
// Safe to run twice at once: each rollout is advanced under its row lock.
import { desc, eq, inArray, type SQL } from "drizzle-orm";
import type { Database, Transaction } from "@/db";
import {
  auditLog,
  instanceOperations,
  instances,
  upgradeRollouts,
  upgradeWaveInstances,
  upgradeWaves,
  users,
  type UpgradeRollout,
  type UpgradeWave,
  type UpgradeWaveInstance,
} from "@/db/schema";
import { InstanceActionRefusedError } from "@/server/instances/actions";
import { OperationInProgressError } from "@/server/instances/operations";
import { releaseById, releaseLabel } from "@/server/releases/catalogue";
import { rolloutCandidates, stopRollout, waveSizeOf } from "@/server/upgrades/rollouts";
import { requestUpgrade } from "@/server/upgrades/requests";
import { isInUpgradeWindow, upgradeWindowOf } from "@/server/upgrades/window";

/** Who the audit log names for what the sweep decides by itself. */
const AUTOMATIC_ACTOR_EMAIL = "lyceum (automatic)";

type Report = { upgradesStarted: number; wavesStarted: number; stopped: number; completed: number; failures: string[] };

export async function advanceUpgradeRollouts(db: Database, now = new Date()): Promise<Report> {
  const running = await db.select({ id: upgradeRollouts.id }).from(upgradeRollouts).where(eq(upgradeRollouts.status, "running")).orderBy(upgradeRollouts.createdAt);
  const report: Report = { upgradesStarted: 0, wavesStarted: 0, stopped: 0, completed: 0, failures: [] };
  // A stopped rollout's upgrades that were under way still end: the staff page shows how.
  await db.transaction((tx) => settleFinishedUpgrades(tx, eq(upgradeWaveInstances.status, "upgrading"), now));
  for (const { id } of running) {
    try {
      await db.transaction((tx) => advanceRollout(tx, id, now, report));
    } catch (error) {
      report.failures.push(`rollout ${id}: ${(error as Error).message}`);
    }
  }
  return report;
}

async function advanceRollout(tx: Transaction, rolloutId: string, now: Date, report: Report) {
  const [rollout] = await tx.select().from(upgradeRollouts).where(eq(upgradeRollouts.id, rolloutId)).for("update");
  if (!rollout || rollout.status !== "running") return;
  const target = await releaseById(tx, rollout.toReleaseId);
  if (!target || target.status === "end_of_life") {
    await stopAutomatically(tx, rollout, null, `${target ? releaseLabel(target) : "Its release"} is no longer deployable (end of life).`, now);
    report.stopped++;
    return;
  }
  const [latest] = await tx.select().from(upgradeWaves).where(eq(upgradeWaves.rolloutId, rollout.id)).orderBy(desc(upgradeWaves.number)).limit(1);
  let wave: UpgradeWave | null = latest ?? null;
  if (wave && wave.status !== "passed") {
    if ((await advanceWave(tx, rollout, wave, now, report)) !== "passed") return;
  }
  // A wave that ended within the threshold makes room for the next (the first run makes the first).
  for (;;) {
    wave = await startWave(tx, rollout, (wave?.number ?? 0) + 1, now);
    if (!wave) {
      await tx.update(upgradeRollouts).set({ status: "completed", finishedAt: now }).where(eq(upgradeRollouts.id, rollout.id));
      report.completed++;
      return;
    }
    report.wavesStarted++;
    if ((await advanceWave(tx, rollout, wave, now, report)) !== "passed") return;
  }
}

/** Takes the next wave's instances; null when none is left. */
async function startWave(tx: Transaction, rollout: UpgradeRollout, number: number, now: Date): Promise<UpgradeWave | null> {
  const candidates = (await rolloutCandidates(tx, rollout)).slice(0, waveSizeOf(rollout));
  if (candidates.length === 0) return null;
  const [wave] = await tx.insert(upgradeWaves).values({ rolloutId: rollout.id, number, startedAt: now }).returning();
  await tx.insert(upgradeWaveInstances).values(candidates.map((instance) => ({ rolloutId: rollout.id, waveId: wave!.id, instanceId: instance.id, updatedAt: now })));
  return wave!;
}

async function advanceWave(tx: Transaction, rollout: UpgradeRollout, wave: UpgradeWave, now: Date, report: Report) {
  let members = await settleFinishedUpgrades(tx, eq(upgradeWaveInstances.waveId, wave.id), now);
  if (passesThreshold(rollout, members)) {
    const counts = countsOf(members);
    const why = `Wave ${wave.number}: ${counts.failed} of ${counts.counted} upgrade(s) failed (${Math.round((counts.failed * 100) / counts.counted)}%), more than the ${rollout.failureThresholdPercent}% threshold.`;
    await tx.update(upgradeWaves).set({ status: "failed", finishedAt: now }).where(eq(upgradeWaves.id, wave.id));
    await stopAutomatically(tx, rollout, wave, why, now);
    report.stopped++;
    return "stopped" as const;
  }
  for (const member of members.filter((candidate) => candidate.status === "waiting")) {
    if (await startUpgrade(tx, rollout, wave, member, now)) report.upgradesStarted++;
  }
  members = await tx.select().from(upgradeWaveInstances).where(eq(upgradeWaveInstances.waveId, wave.id));
  if (members.every((member) => ["upgraded", "failed", "skipped"].includes(member.status))) {
    await tx.update(upgradeWaves).set({ status: "passed", finishedAt: now }).where(eq(upgradeWaves.id, wave.id));
    return "passed" as const;
  }
  return "running" as const;
}

/** Members whose upgrade operation ended take its outcome. */
async function settleFinishedUpgrades(tx: Transaction, which: SQL, now: Date) {
  const members = await tx.select().from(upgradeWaveInstances).where(which);
  const upgrading = members.filter((member) => member.status === "upgrading");
  const operationIds = upgrading.map((member) => member.operationId).filter((id): id is string => id !== null);
  const operations = operationIds.length ? await tx.select().from(instanceOperations).where(inArray(instanceOperations.id, operationIds)) : [];
  for (const member of upgrading) {
    const operation = operations.find((candidate) => candidate.id === member.operationId);
    const settled: Pick<UpgradeWaveInstance, "status" | "detail"> | null = !operation
      ? { status: "failed", detail: "its upgrade operation is gone" }
      : operation.status === "succeeded"
        ? { status: "upgraded", detail: null }
        : operation.status === "failed" || operation.status === "cancelled"
          ? { status: "failed", detail: operation.error ?? `the upgrade was ${operation.status}` }
          : null;
    if (!settled) continue;
    await tx.update(upgradeWaveInstances).set({ ...settled, updatedAt: now }).where(eq(upgradeWaveInstances.id, member.id));
    Object.assign(member, settled);
  }
  return members;
}

function countsOf(members: Pick<UpgradeWaveInstance, "status">[]) {
  const failed = members.filter((member) => member.status === "failed").length;
  const skipped = members.filter((member) => member.status === "skipped").length;
  return { failed, counted: members.length - skipped };
}

/**
 * Whether more than the threshold of the wave has failed. Skipped instances do not count either way. Checked while
 * the wave runs too: what has failed so far is the least the wave's rate can end at, so the rollout stops at once.
 */
function passesThreshold(rollout: UpgradeRollout, members: Pick<UpgradeWaveInstance, "status">[]) {
  const { failed, counted } = countsOf(members);
  return counted > 0 && failed * 100 > rollout.failureThresholdPercent * counted;
}

/** Starts one member's upgrade when its time has come; true when it started. */
async function startUpgrade(tx: Transaction, rollout: UpgradeRollout, wave: UpgradeWave, member: UpgradeWaveInstance, now: Date) {
  const [instance] = await tx.select().from(instances).where(eq(instances.id, member.instanceId));
  if (!instance) return false;
  if (rollout.timing === "in_window" && !isInUpgradeWindow(upgradeWindowOf(instance), now)) return false;
  const [staff] = rollout.createdBy ? await tx.select().from(users).where(eq(users.id, rollout.createdBy)) : [];
  try {
    const { operationId } = await requestUpgrade(
      {
        instanceId: instance.id,
        releaseId: rollout.toReleaseId,
        actor: staff ?? null,
        asStaffAction: true,
        reason: `Lyceum staff: fleet rollout ${rollout.id.slice(0, 8)}, wave ${wave.number}`,
      },
      tx,
    );
    await tx.update(upgradeWaveInstances).set({ status: "upgrading", operationId, detail: null, updatedAt: now }).where(eq(upgradeWaveInstances.id, member.id));
    return true;
  } catch (error) {
    // Busy with another operation: tried again on the next run.
    if (error instanceof OperationInProgressError) {
      await tx.update(upgradeWaveInstances).set({ detail: error.message, updatedAt: now }).where(eq(upgradeWaveInstances.id, member.id));
      return false;
    }
    if (!(error instanceof InstanceActionRefusedError)) throw error;
    await tx.update(upgradeWaveInstances).set({ status: "skipped", detail: error.message, updatedAt: now }).where(eq(upgradeWaveInstances.id, member.id));
    return false;
  }
}

/** Stops the rollout and records why in the audit log, under the sweep's own name. */
async function stopAutomatically(tx: Transaction, rollout: UpgradeRollout, wave: UpgradeWave | null, why: string, now: Date) {
  await stopRollout(tx, rollout.id, why, now);
  await tx.insert(auditLog).values({
    actorId: null,
    actorEmail: AUTOMATIC_ACTOR_EMAIL,
    action: "stop_upgrade_rollout",
    instanceId: null,
    target: { rolloutId: rollout.id, waveId: wave?.id ?? null, waveNumber: wave?.number ?? null },
    reason: "the rollout's failure threshold",
    outcome: "accepted",
    detail: `Stopped the rollout automatically. ${why}`,
  });
}
