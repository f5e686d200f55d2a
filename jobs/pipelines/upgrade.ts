// Upgrade: the instance moves to a newer release the way a redeploy moves it to a new server, with a backup first,
// the release's migrations run from the new deployment only, and a health gate before the switch. The old deployment
// stays up as the fallback a rollback switches back to (jobs/pipelines/rollback.ts) until the sweep retires it.
// A new deployment that fails the gate is torn down: the old one never stopped serving, on the old release. When the
// release's migrations had already run, the pre-upgrade backup is restored first (the rollback's restore), so that
// the old release does not go on serving a database migrated for the new one.
import { and, eq } from "drizzle-orm";
import type { Transaction } from "@/db";
import { backups, deployments, instanceUpgrades, instances, operationSteps } from "@/db/schema";
import { destroyDeploymentServer } from "@/server/deployments/retire";
import { deploymentLabel, setDeploymentStatus } from "@/server/deployments/status";
import { infra } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { releaseById, releaseLabel } from "@/server/releases/catalogue";
import { takeBackupStep } from "../steps/backup";
import { ensureCertificates } from "../steps/certificates";
import { activateDeployment, bootServer, renderDeploymentConfig, waitForNewDeploymentHeartbeat } from "../steps/deployment";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import { ensureMailRelayCredential } from "../steps/mail-relay";
import { restoreMysql, restoreObjects, restoreRabbitmq, verifyRestoreSource } from "../steps/restore";
import { ensureTutorSecrets } from "../steps/tutor-secrets";
import { backUpBeforeUpgrade, endFailedUpgrade, onlyAfterFailedGate, recordReleaseMigrations, recordUpgrade, upgradeHealthGate } from "../steps/upgrade";
import type { Pipeline } from "../runner/types";

export const upgradePipeline: Pipeline = {
  kind: "upgrade",
  steps: [
    backUpBeforeUpgrade,
    ensureCertificates,
    ensureMailRelayCredential,
    ensureTutorSecrets,
    // Renders the upgrade's target release (server/releases/deployment-release.ts).
    renderDeploymentConfig,
    // The new server migrates the databases as it boots, before it can answer /heartbeat.
    bootServer,
    waitForNewDeploymentHeartbeat,
    recordReleaseMigrations,
    upgradeHealthGate,
    // Only when the gate failed after the migrations ran: the rollback's restore, then the upgrade fails.
    ...[
      verifyRestoreSource,
      takeBackupStep({ name: "backup_current", title: "Back up the current state", kind: "pre_restore" }),
      restoreMysql,
      restoreRabbitmq,
      restoreObjects,
    ].map(onlyAfterFailedGate),
    endFailedUpgrade,
    activateDeployment,
    syncLoadBalancerStep,
    recordUpgrade,
  ],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    const [upgrade] = await tx.select().from(instanceUpgrades).where(eq(instanceUpgrades.operationId, operation.id));
    const release = upgrade ? await releaseById(tx, upgrade.toReleaseId) : null;
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: `Upgraded to ${release ? releaseLabel(release) : "the new release"}. The previous deployment is kept until ${upgrade?.fallbackUntil?.toISOString() ?? "the sweep retires it"}: until then the upgrade can be rolled back.`,
    });
  },
  async onFailure(tx, instance, operation, error) {
    const [upgrade] = await tx.select().from(instanceUpgrades).where(eq(instanceUpgrades.operationId, operation.id));
    const [attempted] = await tx.select().from(deployments).where(eq(deployments.operationId, operation.id));
    const [current] = await tx.select().from(instances).where(eq(instances.id, instance.id));
    if (attempted && attempted.id === current?.activeDeploymentId) {
      // It failed after the switch (updating the load balancer, say): the new release serves, so record it as such.
      await tx.update(instances).set({ releaseId: upgrade!.toReleaseId }).where(eq(instances.id, instance.id));
      await tx.update(instanceUpgrades).set({ status: "upgraded", toDeploymentId: attempted.id, switchedAt: new Date(), fallbackUntil: new Date(Date.now() + 3_600_000), error: error.message }).where(eq(instanceUpgrades.operationId, operation.id));
      await appendInstanceEvent(tx, { instanceId: instance.id, operationId: operation.id, kind: "log", level: "error", message: `The upgrade failed after the switch: ${error.message}. The new release serves; a rollback is possible for the next hour.` });
      return;
    }
    let outcome = "";
    if (attempted && attempted.status !== "terminated") {
      try {
        await destroyDeploymentServer(tx, infra().compute, attempted);
        await setDeploymentStatus(tx, attempted.id, attempted.status === "running" ? "terminated" : "configuration_failed", { operationId: operation.id, why: error.message });
        outcome = ` ${deploymentLabel(attempted)} on the new release never went into service; its server was torn down.`;
      } catch (teardownError) {
        outcome = ` Tearing down ${deploymentLabel(attempted).toLowerCase()} failed (${(teardownError as Error).message}); the daily clean-up retries.`;
      }
    }
    await tx.update(instanceUpgrades).set({ status: "failed", error: error.message, finishedAt: new Date(), toDeploymentId: attempted?.id ?? null }).where(eq(instanceUpgrades.operationId, operation.id));
    if (upgrade?.hasRunMigrations) outcome += await migratedDataNote(tx, operation.id, upgrade.backupId);
    const from = upgrade ? await releaseById(tx, upgrade.fromReleaseId) : null;
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `The upgrade failed: ${error.message}.${outcome} The instance keeps serving ${from ? releaseLabel(from) : "its release"} from deployment ${instance.activeDeploymentId?.slice(0, 8) ?? "(none)"}.`,
    });
  },
};

/**
 * What became of the data when the release's migrations had run: restored from the pre-upgrade backup (the gate
 * failed, endFailedUpgrade said so in the error), or left migrated when the upgrade failed any other way (the restore
 * itself, a cancel): then it is said, with the backup that holds the state from before.
 */
async function migratedDataNote(tx: Transaction, operationId: string, backupId: string | null): Promise<string> {
  const [ended] = await tx
    .select()
    .from(operationSteps)
    .where(and(eq(operationSteps.operationId, operationId), eq(operationSteps.step, endFailedUpgrade.name), eq(operationSteps.status, "failed")));
  if (ended) return "";
  const [backup] = backupId ? await tx.select().from(backups).where(eq(backups.id, backupId)) : [];
  const which = backup ? `pre-upgrade backup ${backup.id.slice(0, 8)} (${backup.createdAt.toISOString()})` : "the pre-upgrade backup";
  return ` The release's migrations had already run against the databases and were not undone: ${which} holds the state from before them; restore it before the old release relies on the data.`;
}
