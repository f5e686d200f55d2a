// The rollback's own steps: check the fallback is still there, switch traffic back to it, and retire the deployment
// on the release that was rolled back. Restoring the pre-upgrade backup reuses the restore's steps.
import { eq } from "drizzle-orm";
import { deployments, instances, instanceUpgrades } from "@/db/schema";
import { destroyDeploymentServer } from "@/server/deployments/retire";
import { deploymentLabel, setDeploymentStatus } from "@/server/deployments/status";
import { releaseById, releaseLabel } from "@/server/releases/catalogue";
import { PermanentStepError } from "../runner/errors";
import type { PipelineStep, StepContext } from "../runner/types";

/** The upgrade this operation rolls back (its rollbackOperationId was set with the operation). */
async function upgradeRolledBack(ctx: Pick<StepContext, "db" | "operation">) {
  const [upgrade] = await ctx.db.select().from(instanceUpgrades).where(eq(instanceUpgrades.rollbackOperationId, ctx.operation.id));
  if (!upgrade) throw new PermanentStepError("the operation names no upgrade to roll back");
  return upgrade;
}

async function fallbackOf(ctx: StepContext) {
  const upgrade = await upgradeRolledBack(ctx);
  const [fallback] = upgrade.fromDeploymentId ? await ctx.db.select().from(deployments).where(eq(deployments.id, upgrade.fromDeploymentId)) : [];
  if (!fallback || fallback.status !== "running" || !fallback.serverId) {
    throw new PermanentStepError(`the previous release's deployment is ${fallback ? fallback.status : "gone"}: there is nothing to switch back to. Nothing was changed.`);
  }
  return { upgrade, fallback };
}

export const checkFallback: PipelineStep = {
  name: "check_fallback",
  title: "Check the previous release's deployment is up",
  async run(ctx) {
    const { fallback } = await fallbackOf(ctx);
    const isUp = (await ctx.infra.compute.listServers()).some((server) => server.serverId === fallback.serverId);
    if (!isUp) throw new PermanentStepError(`the server of ${deploymentLabel(fallback).toLowerCase()} is not up: there is nothing to switch back to. Nothing was changed.`);
    const response = await fetch(`http://${fallback.address}/heartbeat`, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]) }).catch((error: Error) => error);
    if (response instanceof Error || !response.ok) {
      throw new PermanentStepError(`${deploymentLabel(fallback)} does not answer /heartbeat (${response instanceof Error ? response.message : `HTTP ${response.status}`}). Nothing was changed.`);
    }
    return `${deploymentLabel(fallback)} answers at ${fallback.address}`;
  },
};

/** Restore steps run only when the upgrade's migrations changed the data (the operation then names the backup). */
export function onlyWhenRestoring(step: PipelineStep): PipelineStep {
  return {
    ...step,
    async run(ctx) {
      if (!ctx.operation.backupId) return "the upgrade ran no migrations: the data stays as it is";
      return step.run(ctx);
    },
  };
}

export const switchBack: PipelineStep = {
  name: "switch_back",
  title: "Switch traffic back to the previous release",
  async run(ctx) {
    const { upgrade, fallback } = await fallbackOf(ctx);
    await ctx.db.transaction(async (tx) => {
      await tx.select().from(instances).where(eq(instances.id, ctx.instance.id)).for("update");
      await tx.update(instances).set({ activeDeploymentId: fallback.id, releaseId: upgrade.fromReleaseId }).where(eq(instances.id, ctx.instance.id));
      await tx.update(deployments).set({ activatedAt: new Date() }).where(eq(deployments.id, fallback.id));
    });
    const release = await releaseById(ctx.db, upgrade.fromReleaseId);
    return `${deploymentLabel(fallback).toLowerCase()} serves the instance again, on ${release ? releaseLabel(release) : "the previous release"}`;
  },
};

export const retireUpgradedDeployment: PipelineStep = {
  name: "retire_upgraded_deployment",
  title: "Retire the rolled-back release's deployment",
  timeoutMs: 120_000,
  async run(ctx) {
    const upgrade = await upgradeRolledBack(ctx);
    const [upgraded] = upgrade.toDeploymentId ? await ctx.db.select().from(deployments).where(eq(deployments.id, upgrade.toDeploymentId)) : [];
    let said = "no deployment of the new release to retire";
    if (upgraded && upgraded.status !== "terminated") {
      await destroyDeploymentServer(ctx.db, ctx.infra.compute, upgraded);
      await setDeploymentStatus(ctx.db, upgraded.id, "terminated", { operationId: ctx.operation.id, step: "retire_upgraded_deployment", why: "the upgrade was rolled back" });
      said = `${deploymentLabel(upgraded).toLowerCase()} is terminated`;
    }
    await ctx.db.update(instanceUpgrades).set({ status: "rolled_back", finishedAt: new Date() }).where(eq(instanceUpgrades.id, upgrade.id));
    return said;
  },
};
