// Instances on an end-of-life release: their owner is emailed once, with a deadline (END_OF_LIFE_NOTICE_DAYS ahead),
// and after it Lyceum upgrades the instance to the default release, in its upgrade window. The notice row is made in
// the transaction that queues the email, so each instance is told once per release however often this runs.
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "@/db";
import { endOfLifeNotices, instances, type Release } from "@/db/schema";
import { env } from "@/server/env";
import { InstanceActionRefusedError } from "@/server/instances/actions";
import { OperationInProgressError } from "@/server/instances/operations";
import { emailOwnerEndOfLife } from "@/server/notifications/instance-emails";
import { listReleases, releaseLabel } from "@/server/releases/catalogue";
import { compareVersions } from "@/server/releases/versions";
import { requestUpgrade, upgradeRefusal } from "@/server/upgrades/requests";
import { describeUpgradeWindow, isInUpgradeWindow, upgradeWindowOf } from "@/server/upgrades/window";

/** A failed upgrade is tried again no sooner than this (the next window, in practice): staff were alerted meanwhile. */
const RETRY_AFTER_MS = 24 * 3_600_000;

/** What an end-of-life instance moves to: the default release, else the newest supported one it may go to. */
function upgradeTargetFor(current: Release, catalogue: Release[]): Release | null {
  const allowed = catalogue.filter((release) => upgradeRefusal(current, release, { mayPickPreview: false }) === null);
  return allowed.find((release) => release.status === "default") ?? allowed.sort((a, b) => compareVersions(b.tutorVersion, a.tutorVersion))[0] ?? null;
}

export async function upgradeEndOfLifeInstances(db: Database, now = new Date()) {
  const report = { notified: 0, upgradesStarted: 0, failures: [] as string[] };
  const catalogue = await listReleases(db);
  const endOfLife = catalogue.filter((release) => release.status === "end_of_life");
  if (endOfLife.length === 0) return report;
  const affected = await db
    .select({ id: instances.id })
    .from(instances)
    .where(and(inArray(instances.status, ["running", "suspended"]), inArray(instances.releaseId, endOfLife.map((release) => release.id))));
  for (const { id } of affected) {
    try {
      await db.transaction(async (tx) => {
        const [instance] = await tx.select().from(instances).where(eq(instances.id, id)).for("update");
        const current = endOfLife.find((release) => release.id === instance?.releaseId);
        if (!instance || !current) return;
        const target = upgradeTargetFor(current, catalogue);
        const [notice] = await tx.select().from(endOfLifeNotices).where(and(eq(endOfLifeNotices.instanceId, instance.id), eq(endOfLifeNotices.releaseId, current.id)));
        if (!notice) {
          const deadline = new Date(now.getTime() + env().END_OF_LIFE_NOTICE_DAYS * 86_400_000);
          await tx.insert(endOfLifeNotices).values({ instanceId: instance.id, releaseId: current.id, deadline, emailedAt: now });
          await emailOwnerEndOfLife(tx, instance, {
            releaseLabel: releaseLabel(current),
            targetLabel: target ? releaseLabel(target) : null,
            deadline,
            windowUtc: describeUpgradeWindow(upgradeWindowOf(instance)),
          });
          report.notified++;
          return;
        }
        if (now < notice.deadline || instance.status !== "running" || !isInUpgradeWindow(upgradeWindowOf(instance), now)) return;
        if (notice.lastUpgradeAttemptAt && now.getTime() - notice.lastUpgradeAttemptAt.getTime() < RETRY_AFTER_MS) return;
        if (!target) {
          report.failures.push(`instance ${instance.id}: no release to upgrade ${releaseLabel(current)} to`);
          return;
        }
        try {
          const { operationId } = await requestUpgrade(
            { instanceId: instance.id, releaseId: target.id, actor: null, asStaffAction: false, reason: `${releaseLabel(current)} is end of life; the deadline was ${notice.deadline.toISOString()}` },
            tx,
          );
          await tx.update(endOfLifeNotices).set({ upgradeOperationId: operationId, lastUpgradeAttemptAt: now }).where(eq(endOfLifeNotices.id, notice.id));
          report.upgradesStarted++;
        } catch (error) {
          // Busy with another operation: tried again on the next run.
          if (error instanceof OperationInProgressError) return;
          if (error instanceof InstanceActionRefusedError) report.failures.push(`instance ${instance.id}: ${error.message}`);
          else throw error;
        }
      });
    } catch (error) {
      report.failures.push(`instance ${id}: ${(error as Error).message}`);
    }
  }
  return report;
}
