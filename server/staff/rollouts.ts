// The staff Releases page's view of fleet rollouts: each with its target, settings and state, and per wave how many
// of its instances wait, upgrade, upgraded, failed or were skipped.
import { count, desc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db";
import { releases, upgradeRollouts, upgradeWaveInstances, upgradeWaves, type WaveInstanceStatus } from "@/db/schema";
import { releaseLabel } from "@/server/releases/catalogue";
import { waveSizeOf } from "@/server/upgrades/rollouts";

export async function recentRollouts(q: Queryable, limit = 20) {
  const rows = await q
    .select({ rollout: upgradeRollouts, target: { name: releases.name, tutorVersion: releases.tutorVersion } })
    .from(upgradeRollouts)
    .innerJoin(releases, eq(releases.id, upgradeRollouts.toReleaseId))
    .orderBy(desc(upgradeRollouts.createdAt))
    .limit(limit);
  const ids = rows.map((row) => row.rollout.id);
  const [waves, counts] = ids.length
    ? await Promise.all([
        q.select().from(upgradeWaves).where(inArray(upgradeWaves.rolloutId, ids)).orderBy(upgradeWaves.number),
        q
          .select({ waveId: upgradeWaveInstances.waveId, status: upgradeWaveInstances.status, instances: count() })
          .from(upgradeWaveInstances)
          .where(inArray(upgradeWaveInstances.rolloutId, ids))
          .groupBy(upgradeWaveInstances.waveId, upgradeWaveInstances.status),
      ])
    : [[], []];
  return rows.map(({ rollout, target }) => ({
    ...rollout,
    targetLabel: releaseLabel(target),
    waveSize: waveSizeOf(rollout),
    waves: waves
      .filter((wave) => wave.rolloutId === rollout.id)
      .map((wave) => {
        const byStatus = Object.fromEntries(counts.filter((row) => row.waveId === wave.id).map((row) => [row.status, row.instances])) as Partial<Record<WaveInstanceStatus, number>>;
        return { ...wave, counts: byStatus };
      }),
  }));
}
