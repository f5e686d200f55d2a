// The steps that are the upgrade's own (the rest are provisioning's and the redeploy's): the backup it can be rolled
// back to, the migrations' record, the health gate, and the record that the instance now runs the new release.
import { eq } from "drizzle-orm";
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
    const [backup] = await ctx.db.select().from(backups).where(eq(backups.operationId, ctx.operation.id));
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
    try {
      return `deployment ${deployment.id.slice(0, 8)} passed: ${await smokeCheckDeployment(deployment, ctx.signal)}`;
    } catch (error) {
      ctx.signal.throwIfAborted();
      // Not retried: the old deployment keeps serving and the new one is torn down (the pipeline's onFailure).
      throw new PermanentStepError((error as Error).message);
    }
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
