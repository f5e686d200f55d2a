// Steps that bring up an instance's application servers and put them in service.
import { randomUUID } from "node:crypto";
import { and, eq, ne } from "drizzle-orm";
import { deploymentServers, deployments, instances, type Deployment, type DeploymentServer } from "@/db/schema";
import { appServerCountFor, appServerLabel, liveServersOf, probeHeartbeat, quorumOf, recordAppServerCheck } from "@/server/deployments/app-servers";
import { planById, planDeploymentConfig } from "@/server/billing/plans";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { encryptJson } from "@/server/crypto/secrets";
import type { DeploymentConfig } from "@/server/deployments/config";
import type { Env } from "@/server/env";
import { bootReportTokenOf, bootReportUrl, newBootReportToken } from "@/server/deployments/boot-report-token";
import { deploymentLabel, setDeploymentStatus } from "@/server/deployments/status";
import { siteUrlFor } from "@/server/instances/hostnames";
import { renderServiceConfig, siteConfigOf } from "@/server/instances/service-config";
import { renderSiteConfig } from "@/server/instances/site-config";
import { ownerEmailOf } from "@/server/notifications/instance-emails";
import { terminateObsoleteDeployments } from "@/server/deployments/retire";
import { releaseDeploymentConfig, releaseForNewDeployment } from "@/server/releases/deployment-release";
import { PermanentStepError } from "../runner/errors";
import type { PipelineStep, StepContext } from "../runner/types";
import { countRemoved, removeRecorded } from "./ledger-walk";
import { servicesHostOf } from "./services-server";

/** The deployment this operation is bringing up, created by the config step. */
async function currentDeployment(ctx: StepContext) {
  const deployment = await ctx.db.query.deployments.findFirst({ where: eq(deployments.operationId, ctx.operation.id) });
  if (!deployment) throw new Error("no deployment was prepared for this operation (the config step did not run)");
  return deployment;
}

export const renderDeploymentConfig: PipelineStep = {
  name: "render_config",
  title: "Render deployment configuration",
  async run(ctx) {
    // Credentials come from the ledger's sealed secrets and stay sealed in the deployment row.
    const { endpoint, forcePathStyle } = ctx.infra.objectStorage.settings;
    const { services, secrets } = renderServiceConfig(await ctx.ledger.list(), { endpoint: endpoint ?? null, forcePathStyle }, ctx.instance);
    // The instance's plan as it is now (a plan change may be what this deployment is for): its VM size and limits.
    // The owner's account email: their LMS superuser is made with it at first boot (cloud-init/owner-account.ts).
    const ownerEmail = await ownerEmailOf(ctx.db, ctx.instance);
    // The instance's services server (plans with one): memcached and Elasticsearch are there, not on the new server.
    const servicesHost = await servicesHostOf(ctx);
    // The release: an upgrade's target, else the instance's own (the default for its first deployment).
    const release = await releaseForNewDeployment(ctx.db, ctx.instance, ctx.operation.id);
    const siteConfig = {
      ...planDeploymentConfig(planById(ctx.instance.plan)),
      ...renderSiteConfig(ctx.instance, ctx.env),
      ownerEmail,
      services,
      release: releaseDeploymentConfig(release),
      ...(servicesHost ? { servicesHost } : {}),
    };
    const { hostnames } = siteConfig;
    const serviceNames = Object.keys(services);
    const withServices = serviceNames.length ? ` with ${serviceNames.join(", ")} credentials` : "";
    const existing = await ctx.db.query.deployments.findFirst({ where: eq(deployments.operationId, ctx.operation.id) });
    // Fixed for this deployment: a later plan change or staff override applies to the next one.
    const serverCount = appServerCountFor(ctx.instance);
    // The row's id is chosen here, not by the database: the secrets are sealed to it before it is inserted.
    const id = existing?.id ?? randomUUID();
    // The server reports its boot phases with this token; a refresh keeps it (a server may already be booting with it).
    const bootReport = { token: (existing && bootReportTokenOf(existing, existing.secrets)) ?? newBootReportToken() };
    const config: DeploymentConfig = { ...siteConfig, bootReport: { url: bootReportUrl(ctx.env, ctx.infra.compute.name, id) } };
    const sealedSecrets = encryptJson({ ...secrets, bootReport }, sealedCells.deploymentSecrets({ id, instanceId: ctx.instance.id }));
    if (existing) {
      await ctx.db.update(deployments).set({ config, secrets: sealedSecrets, serverCount, releaseId: release.id }).where(eq(deployments.id, existing.id));
      return `refreshed the configuration of deployment ${existing.id.slice(0, 8)} for ${hostnames.lms}${withServices}`;
    }
    const [created] = await ctx.db
      .insert(deployments)
      .values({
        id,
        instanceId: ctx.instance.id,
        operationId: ctx.operation.id,
        computeDriver: ctx.infra.compute.name,
        serverCount,
        releaseId: release.id,
        config,
        secrets: sealedSecrets,
      })
      .returning();
    const servers = serverCount === 1 ? "1 application server" : `${serverCount} application servers`;
    return `prepared deployment ${created!.id.slice(0, 8)} (${servers}) of ${release.name} (Tutor ${release.tutorVersion}) for ${hostnames.lms} and ${hostnames.studio}${withServices}`;
  },
};

/** Time for the calls around the wait (find, create, the last status read) beyond the provider's build limit. */
const BOOT_MARGIN_MS = 120_000;

/**
 * A local process starts in seconds; an OVH VM may build for up to OVH_BUILD_TIMEOUT_SECONDS, and that wait is
 * polling, not failing: the step allows all of it, so a slow build never times out and spends a retry.
 */
function bootTimeoutMs(config: Env) {
  return config.COMPUTE_DRIVER === "ovh" ? config.OVH_BUILD_TIMEOUT_SECONDS * 1000 + BOOT_MARGIN_MS : BOOT_MARGIN_MS;
}

/**
 * Boots one of the deployment's servers (or finds it up) and records it: in the ledger before the wait (a cancel,
 * timeout or crash while the VM builds leaves it for teardown to find), then its address in deployment_servers.
 */
export async function bootAppServer(
  ctx: StepContext,
  deployment: Deployment,
  serverIndex: number,
): Promise<{ server: DeploymentServer; isNew: boolean }> {
  const driver = ctx.infra.compute.name;
  const [row] = await ctx.db
    .insert(deploymentServers)
    .values({ deploymentId: deployment.id, instanceId: deployment.instanceId, serverIndex })
    .onConflictDoUpdate({ target: [deploymentServers.deploymentId, deploymentServers.serverIndex], set: { serverIndex } })
    .returning();
  const booted = await ctx.infra.compute.ensureServer(
    { deploymentId: deployment.id, instanceId: deployment.instanceId, serverIndex, siteConfig: siteConfigOf(deployment) },
    ctx.signal,
    {
      onServerKnown: async (serverId) => {
        await ctx.ledger.record("compute.server", serverId, { driver, deploymentId: deployment.id, serverIndex, address: null });
        await ctx.db.update(deploymentServers).set({ serverId }).where(eq(deploymentServers.id, row!.id));
      },
      onStillBuilding: (waitedMs) =>
        ctx.log(
          `${deployment.serverCount > 1 ? `Server ${serverIndex + 1} of ${deployment.serverCount} of` : "Server for"} deployment ${deployment.id.slice(0, 8)} is still building after ${Math.round(waitedMs / 1000)} s.`,
        ),
    },
  );
  await ctx.ledger.record("compute.server", booted.serverId, { driver, deploymentId: deployment.id, serverIndex, address: booted.address });
  const [server] = await ctx.db
    .update(deploymentServers)
    .set({ serverId: booted.serverId, address: booted.address })
    .where(eq(deploymentServers.id, row!.id))
    .returning();
  return { server: server!, isNew: booted.isNew };
}

export const bootServer: PipelineStep = {
  name: "boot_server",
  // Singular as it always was: the title names the step in logs and pages that predate several servers.
  title: "Boot application server",
  timeoutMs: bootTimeoutMs,
  async run(ctx) {
    const deployment = await currentDeployment(ctx);
    const moved = { operationId: ctx.operation.id, step: "boot_server" };
    const driver = ctx.infra.compute.name;
    await setDeploymentStatus(ctx.db, deployment.id, "waiting_for_vm", moved);
    // All at once: N VMs build in the time of one.
    const indexes = Array.from({ length: deployment.serverCount }, (_, index) => index);
    const results = await Promise.allSettled(indexes.map((index) => bootAppServer(ctx, deployment, index)));
    const failures = results.flatMap((result, index) => (result.status === "rejected" ? [{ index, error: result.reason as Error }] : []));
    if (failures.length) {
      // One server's error as it is (a quota refusal stays permanent); several named by server, permanent if any is.
      const error =
        deployment.serverCount === 1
          ? failures[0]!.error
          : new (failures.some(({ error }) => error instanceof PermanentStepError) ? PermanentStepError : Error)(
              failures.map(({ index, error }) => `server ${index + 1}: ${error.message}`).join("; "),
            );
      await setDeploymentStatus(ctx.db, deployment.id, "error", { ...moved, why: error.message });
      throw error;
    }
    const booted = results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof bootAppServer>>>).value);
    const first = booted[0]!.server;
    // The deployment row keeps its first server's id and address for the code that needs one address (the site URL).
    await setDeploymentStatus(ctx.db, deployment.id, "configuring", { ...moved, set: { serverId: first.serverId, address: first.address } });
    return booted
      .map(({ server, isNew }) => (isNew ? `started ${driver} server ${server.serverId} at ${server.address}` : `server ${server.serverId} was already up at ${server.address}`))
      .join("; ");
  },
};

/** Margin between giving up on the heartbeat and the runner's own deadline, so the failure is recorded first. */
const HEARTBEAT_MARGIN_MS = 10_000;

/**
 * Waits for every server's /heartbeat. When all answer, the deployment is running. On provisioning, when the time is
 * up and a quorum answers, it is running too (the others stay failing, for the replacement sweep). With
 * `isLastChance` (a redeploy, where the old set keeps serving) every server must answer, so the switch never leaves
 * fewer healthy servers than before (with staff's fast rollout, N-1 of N suffice, and the switch comes as soon as they
 * answer); and the failure is permanent instead of being retried with back-off, so the
 * new servers are torn down at once and the old set serves on.
 */
function waitForHeartbeatStep({ isLastChance }: { isLastChance: boolean }): PipelineStep {
  // Read at run time: a local process answers in seconds, a fresh OVH VM after `tutor local launch` (~30 min).
  const timeoutMs = (config: Env) => config.heartbeatTimeoutSeconds * 1000;
  return {
    name: "wait_heartbeat",
    title: "Wait for the instance to answer /heartbeat",
    timeoutMs,
    async run(ctx) {
      const deployment = await currentDeployment(ctx);
      let servers = await liveServersOf(ctx.db, deployment.id);
      if (servers.length === 0 || servers.some((server) => !server.address)) throw new Error("the deployment's servers have no address yet");
      const moved = { operationId: ctx.operation.id, step: "wait_heartbeat" };
      const startedAt = Date.now();
      const giveUpAt = startedAt + timeoutMs(ctx.env) - HEARTBEAT_MARGIN_MS;
      const problems = new Map<string, string>();
      // A fast rollout (staff's choice) switches once N-1 answer; the last one is left to join, or to be replaced.
      const isFast = isLastChance && ctx.operation.rollout === "fast" && deployment.serverCount > 1;
      const needed = isFast ? deployment.serverCount - 1 : isLastChance ? deployment.serverCount : quorumOf(deployment.serverCount);
      for (let delayMs = 50; !ctx.signal.aborted; delayMs = Math.min(delayMs * 2, 2000)) {
        const waiting = servers.filter((server) => server.state !== "healthy");
        for (const server of waiting) {
          const { isHealthy, problem } = await probeHeartbeat(server.address!, ctx.signal);
          if (isHealthy) servers = servers.map((candidate) => (candidate.id === server.id ? { ...candidate, state: "healthy" as const } : candidate));
          if (isHealthy) await recordAppServerCheck(ctx.db, server, true, moved);
          else problems.set(server.id, problem ?? "no answer");
        }
        const healthyNow = servers.filter((server) => server.state === "healthy").length;
        if (healthyNow === servers.length || (isFast && healthyNow >= needed) || Date.now() >= giveUpAt) break;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      ctx.signal.throwIfAborted();
      const healthy = servers.filter((server) => server.state === "healthy");
      const waited = `${Date.now() - startedAt} ms`;
      if (healthy.length >= needed) {
        const late = servers.filter((server) => server.state !== "healthy");
        for (const server of late) await ctx.db.update(deploymentServers).set({ state: "failing", failingSince: new Date() }).where(eq(deploymentServers.id, server.id));
        await setDeploymentStatus(ctx.db, deployment.id, "running", moved);
        const lateNote = late.length
          ? `; ${late.map((server) => `${appServerLabel(server)} did not (${problems.get(server.id) ?? "not asked again: fast rollout"})`).join(", ")}, to be replaced unless it answers first`
          : "";
        return `${healthy.length} of ${deployment.serverCount} server(s) answered /heartbeat with 200 after ${waited}${lateNote}`;
      }
      const detail = servers
        .filter((server) => server.state !== "healthy")
        .map((server) => `http://${server.address}/heartbeat (last: ${problems.get(server.id) ?? "no answer yet"})`)
        .join(", ");
      const problem = `only ${healthy.length} of ${deployment.serverCount} server(s) answered within ${Math.round((Date.now() - startedAt) / 1000)} s, fewer than the ${needed} it needs: ${detail}`;
      await setDeploymentStatus(ctx.db, deployment.id, "configuration_failed", { ...moved, why: problem });
      throw isLastChance ? new PermanentStepError(problem) : new Error(problem);
    },
  };
}

export const waitForHeartbeat = waitForHeartbeatStep({ isLastChance: false });
export const waitForNewDeploymentHeartbeat = waitForHeartbeatStep({ isLastChance: true });

/**
 * Puts `deployment` in service: the instance's active deployment is the one the load balancer sends its
 * hostnames to. Returns the deployment it replaced, if any.
 */
async function switchTraffic(ctx: StepContext, deployment: Deployment): Promise<{ previousId: string | null }> {
  if (deployment.status !== "running") {
    throw new Error(`${deploymentLabel(deployment)} is ${deployment.status}, not running: traffic stays where it is`);
  }
  const previousId = await ctx.db.transaction(async (tx) => {
    const [instance] = await tx.select().from(instances).where(eq(instances.id, ctx.instance.id)).for("update");
    await tx.update(instances).set({ activeDeploymentId: deployment.id }).where(eq(instances.id, ctx.instance.id));
    await tx.update(deployments).set({ activatedAt: new Date() }).where(eq(deployments.id, deployment.id));
    return instance?.activeDeploymentId ?? null;
  });
  return { previousId: previousId === deployment.id ? null : previousId };
}

export const activateDeployment: PipelineStep = {
  name: "activate_deployment",
  title: "Switch traffic to the new deployment",
  async run(ctx) {
    const deployment = await currentDeployment(ctx);
    const { previousId } = await switchTraffic(ctx, deployment);
    const url = siteUrlFor(ctx.instance, ctx.env, deployment.address);
    const replaced = previousId ? ` instead of deployment ${previousId.slice(0, 8)}` : "";
    return `${url} now serves deployment ${deployment.id.slice(0, 8)}${replaced}`;
  },
};

export const retireOldDeployments: PipelineStep = {
  name: "retire_old_deployments",
  title: "Retire the previous deployment (kept as fallback)",
  timeoutMs: 120_000,
  async run(ctx) {
    const { kept, terminated, failed } = await terminateObsoleteDeployments(ctx.db, ctx.infra.compute, ctx.instance.id, {
      operationId: ctx.operation.id,
      step: "retire_old_deployments",
    });
    if (failed.length > 0) {
      throw new Error(failed.map(({ deployment, error }) => `${deploymentLabel(deployment)}: ${error}`).join("; "));
    }
    const current = await currentDeployment(ctx);
    const fallback = kept.find((deployment) => deployment.id !== current.id);
    const parts = [
      fallback ? `${deploymentLabel(fallback).toLowerCase()} is out of service, its server kept as the fallback` : "no earlier deployment to keep as fallback",
      ...(terminated.length ? [`terminated ${terminated.map((deployment) => deploymentLabel(deployment).toLowerCase()).join(", ")}`] : []),
    ];
    return parts.join("; ");
  },
};

export const stopApplicationServers: PipelineStep = {
  name: "stop_servers",
  title: "Stop and delete application servers",
  timeoutMs: 120_000,
  async run(ctx) {
    const { compute } = ctx.infra;
    // Every server the ledger knows (the active deployment's, the fallback's, a failed one's), newest first.
    const result = await removeRecorded(ctx, "compute.server", async (entry) => {
      if (entry.details.driver !== compute.name) {
        throw new Error(`server ${entry.externalId} runs on the ${entry.details.driver} compute driver, but ${compute.name} is configured`);
      }
      const isUp = (await compute.listServers(ctx.signal)).some((server) => server.serverId === entry.externalId);
      await compute.destroyServer(entry.externalId, ctx.signal);
      return { existed: isUp };
    });
    // A plan's size goes with the server it was recorded for; there is nothing outside to remove.
    for (const flavor of await ctx.ledger.list("compute.flavor")) await ctx.ledger.markDeleted(flavor.id);
    await ctx.db.update(instances).set({ activeDeploymentId: null }).where(eq(instances.id, ctx.instance.id));
    const live = await ctx.db
      .select({ id: deployments.id })
      .from(deployments)
      .where(and(eq(deployments.instanceId, ctx.instance.id), ne(deployments.status, "terminated")));
    for (const { id } of live) {
      await setDeploymentStatus(ctx.db, id, "terminated", { operationId: ctx.operation.id, step: "stop_servers", why: "the instance is deprovisioned" });
    }
    return `${countRemoved(result, "server")}; every deployment of the instance is terminated`;
  },
};
