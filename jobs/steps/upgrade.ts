// The steps that are the upgrade's own (the rest are provisioning's and the redeploy's): the backup it can be rolled
// back to, the migrations' record, the health gate (and the restore when it fails after the migrations ran), and the
// record that the instance now runs the new release.
import { and, eq } from "drizzle-orm";
import { backups, deployments, instances, instanceUpgrades } from "@/db/schema";
import { releaseById, releaseLabel } from "@/server/releases/catalogue";
import { hasMigrationsThatChangeData } from "@/server/upgrades/migrations";
import { smokeCheckDeployment } from "@/server/upgrades/smoke-check";
import { PermanentStepError } from "../runner/errors";
import type { PipelineStep, StepContext } from "../runner/types";
import { takeBackupStep } from "./backup";

/** The upgrade this operation carries out (written with the operation: server/upgrades/requests.ts). */
async function upgradeOfOperation(ctx: Pick<StepContext, "db" | "operation">) {
  const [upgrade] = await ctx.db.select().from(instanceUpgrades).where(eq(instanceUpgrades.operationId, ctx.operation.id));
  if (!upgrade) throw new PermanentStepError("the operation names no upgrade");
  return upgrade;
}

async function upgradeDeployment(ctx: StepContext) {
  const deployment = await ctx.db.query.deployments.findFirst({ where: eq(deployments.operationId, ctx.operation.id) });
  if (!deployment) throw new Error("no deployment was prepared for this upgrade (the config step did not run)");
  return deployment;
}

const takePreUpgradeBackup = takeBackupStep({ name: "backup_before_upgrade", title: "Back up before the upgrade", kind: "pre_upgrade" });

export const backUpBeforeUpgrade: PipelineStep = {
  ...takePreUpgradeBackup,
  async run(ctx) {
    const said = await takePreUpgradeBackup.run(ctx);
    // By kind: a gate that fails after the migrations adds a pre-restore backup to the same operation.
    const [backup] = await ctx.db.select().from(backups).where(and(eq(backups.operationId, ctx.operation.id), eq(backups.kind, "pre_upgrade")));
    // No verified backup, no upgrade: it is what a rollback restores.
    if (backup?.status !== "verified") throw new Error("the pre-upgrade backup is not verified");
    await ctx.db.update(instanceUpgrades).set({ backupId: backup.id }).where(eq(instanceUpgrades.operationId, ctx.operation.id));
    return said;
  },
};

export const recordReleaseMigrations: PipelineStep = {
  name: "release_migrations",
  title: "Run the release's migrations from the new deployment",
  async run(ctx) {
    const upgrade = await upgradeOfOperation(ctx);
    const deployment = await upgradeDeployment(ctx);
    const release = await releaseById(ctx.db, upgrade.toReleaseId);
    if (!release) throw new PermanentStepError("the upgrade's release is gone");
    // The new server ran them in its boot's migrations phase, before it could answer /heartbeat (a VM: `tutor local
    // do init`; the local site: the release's SQL), against the databases the old deployment still serves from.
    const hasRunMigrations = hasMigrationsThatChangeData(release, deployment.computeDriver);
    await ctx.db.update(instanceUpgrades).set({ hasRunMigrations, toDeploymentId: deployment.id }).where(eq(instanceUpgrades.id, upgrade.id));
    if (!hasRunMigrations) return `${releaseLabel(release)} has no migrations: a rollback will be a plain switch`;
    const declared = release.migrations.map((migration) => migration.id).join(", ");
    return `deployment ${deployment.id.slice(0, 8)} migrated the databases to ${release.name}${declared ? ` (${declared})` : ""}; a rollback restores the pre-upgrade backup`;
  },
};

export const upgradeHealthGate: PipelineStep = {
  name: "health_gate",
  title: "Health gate: heartbeat, LMS and Studio",
  timeoutMs: 60_000,
  async run(ctx) {
    const deployment = await upgradeDeployment(ctx);
    let failure: string;
    try {
      return `deployment ${deployment.id.slice(0, 8)} passed: ${await smokeCheckDeployment(deployment, ctx.signal)}`;
    } catch (error) {
      ctx.signal.throwIfAborted();
      failure = (error as Error).message;
    }
    const upgrade = await upgradeOfOperation(ctx);
    // Not retried: the old deployment keeps serving and the new one is torn down (the pipeline's onFailure).
    if (!upgrade.hasRunMigrations) throw new PermanentStepError(failure);
    // The old deployment serves from the databases the new release has just migrated. The failure is recorded rather
    // than thrown, so that the restore steps after this one run (and, after a crash, run again rather than the gate),
    // and endFailedUpgrade fails the upgrade once the data is back as it was.
    await ctx.db.update(instanceUpgrades).set({ error: failure }).where(eq(instanceUpgrades.id, upgrade.id));
    await ctx.log(`${failure}. The release's migrations have already run: the pre-upgrade backup is restored, then the upgrade fails.`, "warn");
    return `failed: ${failure}; the pre-upgrade backup is restored next`;
  },
};

/** Whether the health gate failed after the migrations ran: the gate records its failure on the upgrade then. */
async function failedGate(ctx: StepContext) {
  const upgrade = await upgradeOfOperation(ctx);
  return upgrade.hasRunMigrations && upgrade.error ? upgrade : null;
}

/**
 * A restore step (the rollback's) run only when the gate failed after the migrations: it restores the pre-upgrade
 * backup, which the upgrade, not the operation, names.
 */
export function onlyAfterFailedGate(step: PipelineStep): PipelineStep {
  return {
    ...step,
    async run(ctx) {
      const upgrade = await failedGate(ctx);
      if (!upgrade) return "the health gate passed: the data stays as it is";
      if (!upgrade.backupId) throw new PermanentStepError("the upgrade names no pre-upgrade backup to restore");
      return step.run({ ...ctx, operation: { ...ctx.operation, backupId: upgrade.backupId } });
    },
  };
}

export const endFailedUpgrade: PipelineStep = {
  name: "end_failed_upgrade",
  title: "Fail the upgrade if the health gate failed",
  async run(ctx) {
    const upgrade = await failedGate(ctx);
    if (!upgrade) return "the health gate passed";
    const [backup] = upgrade.backupId ? await ctx.db.select().from(backups).where(eq(backups.id, upgrade.backupId)) : [];
    const [current] = await ctx.db.select().from(backups).where(and(eq(backups.operationId, ctx.operation.id), eq(backups.kind, "pre_restore")));
    const restored = backup ? `pre-upgrade backup ${backup.id.slice(0, 8)} (${backup.createdAt.toISOString()})` : "pre-upgrade backup";
    const since = current ? `; what was written since is kept in pre-restore backup ${current.id.slice(0, 8)}` : "";
    throw new PermanentStepError(`${upgrade.error}; the release's migrations had run, so the ${restored} was restored${since}`);
  },
};

export const recordUpgrade: PipelineStep = {
  name: "record_upgrade",
  title: "Record the new release; keep the old deployment as fallback",
  async run(ctx) {
    const upgrade = await upgradeOfOperation(ctx);
    const deployment = await upgradeDeployment(ctx);
    const fallbackUntil = new Date(Date.now() + ctx.env.UPGRADE_FALLBACK_HOURS * 3_600_000);
    await ctx.db.transaction(async (tx) => {
      await tx.update(instances).set({ releaseId: upgrade.toReleaseId }).where(eq(instances.id, ctx.instance.id));
      await tx
        .update(instanceUpgrades)
        .set({ status: "upgraded", toDeploymentId: deployment.id, switchedAt: upgrade.switchedAt ?? new Date(), fallbackUntil: upgrade.fallbackUntil ?? fallbackUntil })
        .where(eq(instanceUpgrades.id, upgrade.id));
    });
    const release = await releaseById(ctx.db, upgrade.toReleaseId);
    const fallback = upgrade.fromDeploymentId ? `deployment ${upgrade.fromDeploymentId.slice(0, 8)} is kept as the fallback until ${(upgrade.fallbackUntil ?? fallbackUntil).toISOString()}` : "there was no earlier deployment to keep";
    return `the instance runs ${release ? releaseLabel(release) : upgrade.toReleaseId}; ${fallback}`;
  },
};
