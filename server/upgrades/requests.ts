// What people can ask of an instance's release: upgrade it to a newer one, roll an upgrade back. Service functions
// called by the owner's procedures and the audited staff actions after they have authorised the caller; each locks the
// instance row and starts an operation in one transaction, so the one-operation rule holds here too.
import { and, desc, eq } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { deployments, instances, instanceUpgrades, type InstanceUpgrade, type Release, type User } from "@/db/schema";
import { isStaff } from "@/server/auth/roles";
import { backupById } from "@/server/backups/store";
import { InstanceActionRefusedError } from "@/server/instances/actions";
import { appendInstanceEvent } from "@/server/instances/events";
import { startOperation } from "@/server/instances/operations";
import { releaseById, releaseLabel } from "@/server/releases/catalogue";
import { compareVersions } from "@/server/releases/versions";

type Actor = Pick<User, "id" | "role">;

async function lockedInstance(q: Queryable, instanceId: string) {
  const [instance] = await q.select().from(instances).where(eq(instances.id, instanceId)).for("update");
  if (!instance) throw new InstanceActionRefusedError("No such instance.");
  return instance;
}

/** null: Lyceum itself (an instance moved off an end-of-life release, jobs/upgrades/end-of-life.ts). */
type Requester = Actor | null;

const byWhom = (actor: Requester) => (actor === null ? "Lyceum (its release reached end of life)" : isStaff(actor) ? "Lyceum staff" : "the owner");
const initiatorOf = (actor: Requester) => (actor === null ? "system" : isStaff(actor) ? "staff" : "owner");

/**
 * Why `target` is not a release this person may move the instance on `current` to, or null when it is: an owner picks
 * a default or supported release; staff, through their audited action, may also try a preview; nobody goes onto an end-of-life one, and going back
 * to an older release is what a rollback is for.
 */
export function upgradeRefusal(current: Release, target: Release, options: { mayPickPreview: boolean }): string | null {
  if (target.status === "end_of_life") return `${releaseLabel(target)} is end of life: nothing new is deployed on it.`;
  if (target.status === "preview" && !options.mayPickPreview) return `${releaseLabel(target)} is a preview: only Lyceum staff can deploy it for now.`;
  const order = compareVersions(target.tutorVersion, current.tutorVersion);
  if (target.id === current.id || order === 0) return `The instance already runs ${releaseLabel(current)}.`;
  if (order < 0) return `${releaseLabel(target)} is older than ${releaseLabel(current)}: an upgrade only goes forward; going back is a rollback, while the previous release is kept as the fallback.`;
  return null;
}

/**
 * Upgrades the running instance to `releaseId` (jobs/pipelines/upgrade.ts): a pre-upgrade backup, a new deployment on
 * the release beside the serving one, its migrations, a health gate, the switch; the old deployment stays as fallback.
 */
export async function requestUpgrade(
  input: { instanceId: string; releaseId: string; actor: Requester; asStaffAction: boolean; reason?: string | null },
  q: Queryable = db,
) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    if (instance.status !== "running") throw new InstanceActionRefusedError(`Only a running instance can be upgraded; this one is ${instance.status.replace("_", " ")}.`);
    const target = await releaseById(tx, input.releaseId);
    if (!target) throw new InstanceActionRefusedError("There is no such release.");
    const current = instance.releaseId ? await releaseById(tx, instance.releaseId) : null;
    if (!current) throw new InstanceActionRefusedError("The instance's release is not recorded yet: redeploy it first, which puts it on the default release.");
    const refusal = upgradeRefusal(current, target, { mayPickPreview: input.asStaffAction && input.actor !== null && isStaff(input.actor) });
    if (refusal) throw new InstanceActionRefusedError(refusal);
    const operation = await startOperation(tx, {
      instanceId: instance.id,
      kind: "upgrade",
      initiator: initiatorOf(input.actor),
      requestedBy: input.actor?.id ?? null,
      reason: input.reason ?? null,
    });
    const [upgrade] = await tx
      .insert(instanceUpgrades)
      .values({ instanceId: instance.id, operationId: operation.id, fromReleaseId: current.id, toReleaseId: target.id, fromDeploymentId: instance.activeDeploymentId })
      .returning();
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      message: `Upgrade from ${releaseLabel(current)} to ${releaseLabel(target)} requested by ${byWhom(input.actor)}: a backup first, then a new deployment on ${target.name} beside the current one, which keeps serving until the new one passes its health gate.`,
    });
    return { operationId: operation.id, upgradeId: upgrade!.id };
  });
}

/** What a rollback of the instance's last upgrade would do, or why there is none (shown before anyone confirms). */
type RollbackOffer =
  | { isAvailable: false; why: string }
  | {
      isAvailable: true;
      upgradeId: string;
      fromRelease: string;
      toRelease: string;
      fallbackUntil: Date;
      /** Whether the backup is restored first; then everything written since `dataSince` is lost. */
      restoresBackup: boolean;
      dataSince: Date | null;
    };

async function lastUpgrade(q: Queryable, instanceId: string): Promise<InstanceUpgrade | null> {
  const [row] = await q.select().from(instanceUpgrades).where(eq(instanceUpgrades.instanceId, instanceId)).orderBy(desc(instanceUpgrades.createdAt)).limit(1);
  return row ?? null;
}

export async function rollbackOfferOf(q: Queryable, instanceId: string, now = new Date()): Promise<RollbackOffer> {
  const upgrade = await lastUpgrade(q, instanceId);
  if (!upgrade || upgrade.status !== "upgraded") return { isAvailable: false, why: "There is no upgrade to roll back." };
  if (!upgrade.fallbackUntil || upgrade.fallbackUntil <= now) return { isAvailable: false, why: "The previous release's deployment is retired: this upgrade can no longer be rolled back." };
  const [fallback] = upgrade.fromDeploymentId
    ? await q.select().from(deployments).where(and(eq(deployments.id, upgrade.fromDeploymentId), eq(deployments.status, "running")))
    : [];
  if (!fallback) return { isAvailable: false, why: "The previous release's deployment is no longer running: this upgrade can no longer be rolled back." };
  const [from, to] = await Promise.all([releaseById(q, upgrade.fromReleaseId), releaseById(q, upgrade.toReleaseId)]);
  const backup = upgrade.backupId ? await backupById(q, upgrade.backupId) : null;
  return {
    isAvailable: true,
    upgradeId: upgrade.id,
    fromRelease: from ? releaseLabel(from) : "the previous release",
    toRelease: to ? releaseLabel(to) : "the new release",
    fallbackUntil: upgrade.fallbackUntil,
    restoresBackup: upgrade.hasRunMigrations,
    dataSince: upgrade.hasRunMigrations ? (backup?.createdAt ?? upgrade.createdAt) : null,
  };
}

/**
 * Switches the instance back to the release it ran before its last upgrade (jobs/pipelines/rollback.ts). When that
 * upgrade's migrations changed the databases, the pre-upgrade backup is restored first, which loses what was written
 * since: then `confirm` must be the instance's subdomain.
 */
export async function requestRollback(input: { instanceId: string; actor: Actor; confirm?: string; reason?: string | null }, q: Queryable = db) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    if (instance.status !== "running") throw new InstanceActionRefusedError(`Only a running instance can be rolled back; this one is ${instance.status.replace("_", " ")}.`);
    const offer = await rollbackOfferOf(tx, instance.id);
    if (!offer.isAvailable) throw new InstanceActionRefusedError(offer.why);
    if (offer.restoresBackup && (input.confirm ?? "").trim().toLowerCase() !== (instance.subdomain ?? "").toLowerCase()) {
      throw new InstanceActionRefusedError(
        `Type the instance's subdomain (${instance.subdomain}) to confirm: the rollback restores the pre-upgrade backup, so everything written since ${offer.dataSince?.toISOString()} is lost.`,
      );
    }
    const [upgrade] = await tx.select().from(instanceUpgrades).where(eq(instanceUpgrades.id, offer.upgradeId));
    const operation = await startOperation(tx, {
      instanceId: instance.id,
      kind: "rollback",
      initiator: isStaff(input.actor) ? "staff" : "owner",
      requestedBy: input.actor.id,
      reason: input.reason ?? null,
      backupId: offer.restoresBackup ? upgrade!.backupId : null,
    });
    await tx.update(instanceUpgrades).set({ rollbackOperationId: operation.id }).where(eq(instanceUpgrades.id, offer.upgradeId));
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "warn",
      message: offer.restoresBackup
        ? `Rollback from ${offer.toRelease} to ${offer.fromRelease} requested by ${byWhom(input.actor)}: the pre-upgrade backup is restored (what was written since ${offer.dataSince?.toISOString()} is lost), then traffic switches back to the previous deployment.`
        : `Rollback from ${offer.toRelease} to ${offer.fromRelease} requested by ${byWhom(input.actor)}: the upgrade ran no migrations, so traffic switches back to the previous deployment and the data stays as it is.`,
    });
    return { operationId: operation.id, restoresBackup: offer.restoresBackup };
  });
}
