// Fleet rollouts: which instances a rollout may take, and starting or stopping one. Called by the audited staff
// actions (server/staff/actions/rollouts.ts) and by the sweep that moves rollouts on (jobs/upgrades/advance-rollouts.ts).
import { and, asc, eq, inArray, notInArray } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db";
import { instances, upgradeRollouts, upgradeWaveInstances, type Release, type UpgradeRollout, type User } from "@/db/schema";
import { PLAN_IDS } from "@/server/billing/plans";
import { listReleases, releaseLabel } from "@/server/releases/catalogue";
import { upgradeRefusal } from "./requests";

export const rolloutInputSchema = z.object({
  toReleaseId: z.uuid("Pick the release to upgrade to."),
  /** Only instances on these releases; none picked: every release older than the target. */
  fromReleaseIds: z.array(z.uuid("That is not a release id.")).max(50).default([]),
  /** Only instances on these plans; none picked: every plan. */
  plans: z.array(z.enum(PLAN_IDS, { error: "Pick plans from the list." })).max(PLAN_IDS.length).default([]),
  wavePercent: z.int("Give the wave size as a whole percentage.").min(1, "A wave is at least 1% of the fleet.").max(100, "A wave is at most 100% of the fleet."),
  failureThresholdPercent: z
    .int("Give the threshold as a whole percentage.")
    .min(0, "The threshold is between 0% and 100%.")
    .max(100, "The threshold is between 0% and 100%."),
  timing: z.enum(["now", "in_window"], { error: "Choose now or in each instance's window." }),
});

type RolloutInput = z.infer<typeof rolloutInputSchema>;

/** Thrown when a rollout cannot start or stop; the staff action turns it into a refusal. */
export class RolloutRefusedError extends Error {}

type Selection = Pick<UpgradeRollout, "toReleaseId" | "fromReleaseIds" | "plans"> & { id: string | null };

/**
 * The running instances the rollout may still upgrade, oldest first: on one of its releases (or any the target is an
 * upgrade from), on one of its plans, and not yet in one of its waves.
 */
export async function rolloutCandidates(q: Queryable, rollout: Selection, catalogue?: Release[]) {
  const releases = catalogue ?? (await listReleases(q));
  const target = releases.find((release) => release.id === rollout.toReleaseId);
  if (!target) return [];
  const fromIds = releases
    .filter((release) => rollout.fromReleaseIds.length === 0 || rollout.fromReleaseIds.includes(release.id))
    .filter((release) => upgradeRefusal(release, target, { mayPickPreview: true }) === null)
    .map((release) => release.id);
  if (fromIds.length === 0) return [];
  const taken = rollout.id
    ? q.select({ id: upgradeWaveInstances.instanceId }).from(upgradeWaveInstances).where(eq(upgradeWaveInstances.rolloutId, rollout.id))
    : null;
  return q
    .select()
    .from(instances)
    .where(
      and(
        eq(instances.status, "running"),
        inArray(instances.releaseId, fromIds),
        rollout.plans.length ? inArray(instances.plan, rollout.plans) : undefined,
        taken ? notInArray(instances.id, taken) : undefined,
      ),
    )
    .orderBy(asc(instances.createdAt), asc(instances.id));
}

/** How many instances each wave takes: the percentage of the fleet the rollout matched at its start, at least one. */
export function waveSizeOf(rollout: Pick<UpgradeRollout, "fleetSize" | "wavePercent">) {
  return Math.max(1, Math.ceil((rollout.fleetSize * rollout.wavePercent) / 100));
}

export async function startRollout(q: Queryable, input: RolloutInput, actor: Pick<User, "id">) {
  const catalogue = await listReleases(q);
  const target = catalogue.find((release) => release.id === input.toReleaseId);
  if (!target) throw new RolloutRefusedError("There is no such release.");
  if (target.status === "end_of_life") throw new RolloutRefusedError(`${releaseLabel(target)} is end of life: nothing new is deployed on it.`);
  const unknown = input.fromReleaseIds.filter((id) => !catalogue.some((release) => release.id === id));
  if (unknown.length) throw new RolloutRefusedError("One of the releases to upgrade from does not exist.");
  const [running] = await q.select({ id: upgradeRollouts.id }).from(upgradeRollouts).where(and(eq(upgradeRollouts.status, "running"), eq(upgradeRollouts.toReleaseId, target.id)));
  if (running) throw new RolloutRefusedError(`A rollout to ${releaseLabel(target)} is already running (${running.id}): stop it first.`);
  const candidates = await rolloutCandidates(q, { id: null, toReleaseId: target.id, fromReleaseIds: input.fromReleaseIds, plans: input.plans }, catalogue);
  if (candidates.length === 0) throw new RolloutRefusedError(`No running instance matches: none would be upgraded to ${releaseLabel(target)}.`);
  const [rollout] = await q
    .insert(upgradeRollouts)
    .values({ ...input, fleetSize: candidates.length, createdBy: actor.id })
    .returning();
  return { rollout: rollout!, target };
}

/** Stops a running rollout: no new wave, and its instances not started yet stay as they are. */
export async function stopRollout(q: Queryable, rolloutId: string, why: string, now = new Date()) {
  const [rollout] = await q
    .update(upgradeRollouts)
    .set({ status: "stopped", stoppedReason: why, finishedAt: now })
    .where(and(eq(upgradeRollouts.id, rolloutId), eq(upgradeRollouts.status, "running")))
    .returning();
  if (!rollout) throw new RolloutRefusedError("That rollout is not running.");
  await q
    .update(upgradeWaveInstances)
    .set({ status: "not_started", detail: "the rollout stopped before its upgrade started", updatedAt: now })
    .where(and(eq(upgradeWaveInstances.rolloutId, rolloutId), eq(upgradeWaveInstances.status, "waiting")));
  return rollout;
}
