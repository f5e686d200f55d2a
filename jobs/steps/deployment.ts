// Steps that bring up an instance's application server and put it in service.
import { and, eq, ne } from "drizzle-orm";
import { deployments, instances } from "@/db/schema";
import { encryptJson } from "@/server/crypto/secrets";
import { instanceSiteUrl } from "@/server/instances/hostnames";
import { renderServiceConfig, siteConfigOf } from "@/server/instances/service-config";
import { renderSiteConfig } from "@/server/instances/site-config";
import type { PipelineStep, StepContext } from "../pipeline/types";
import { countRemoved, removeRecorded } from "./ledger-walk";

const COMPUTE_SERVER = "compute.server";

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
    const siteConfig = { ...renderSiteConfig(ctx.instance, ctx.env), services };
    const { hostnames } = siteConfig;
    const sealedSecrets = encryptJson(secrets);
    const serviceNames = Object.keys(services);
    const withServices = serviceNames.length ? ` with ${serviceNames.join(", ")} credentials` : "";
    const existing = await ctx.db.query.deployments.findFirst({ where: eq(deployments.operationId, ctx.operation.id) });
    if (existing) {
      await ctx.db.update(deployments).set({ config: siteConfig, secrets: sealedSecrets }).where(eq(deployments.id, existing.id));
      return `refreshed the configuration of deployment ${existing.id.slice(0, 8)} for ${hostnames.lms}${withServices}`;
    }
    const [created] = await ctx.db
      .insert(deployments)
      .values({
        instanceId: ctx.instance.id,
        operationId: ctx.operation.id,
        computeDriver: ctx.infra.compute.name,
        config: siteConfig,
        secrets: sealedSecrets,
      })
      .returning();
    return `prepared deployment ${created!.id.slice(0, 8)} for ${hostnames.lms} and ${hostnames.studio}${withServices}`;
  },
};

export const bootServer: PipelineStep = {
  name: "boot_server",
  title: "Boot application server",
  timeoutMs: 120_000,
  async run(ctx) {
    const deployment = await currentDeployment(ctx);
    await ctx.db.update(deployments).set({ status: "waiting_for_vm" }).where(eq(deployments.id, deployment.id));
    const server = await ctx.infra.compute.ensureServer(
      { deploymentId: deployment.id, instanceId: ctx.instance.id, siteConfig: siteConfigOf(deployment) },
      ctx.signal,
    );
    await ctx.ledger.record(COMPUTE_SERVER, server.serverId, {
      driver: ctx.infra.compute.name,
      deploymentId: deployment.id,
      address: server.address,
    });
    await ctx.db
      .update(deployments)
      .set({ status: "configuring", serverId: server.serverId, address: server.address })
      .where(eq(deployments.id, deployment.id));
    return server.isNew
      ? `started ${ctx.infra.compute.name} server ${server.serverId} at ${server.address}`
      : `server ${server.serverId} was already up at ${server.address}`;
  },
};

export const waitForHeartbeat: PipelineStep = {
  name: "wait_heartbeat",
  title: "Wait for the instance to answer /heartbeat",
  timeoutMs: 300_000,
  async run(ctx) {
    const deployment = await currentDeployment(ctx);
    if (!deployment.address) throw new Error("the deployment has no address yet");
    const url = `http://${deployment.address}/heartbeat`;
    const startedAt = Date.now();
    let lastProblem = "no answer yet";
    for (let delayMs = 50; !ctx.signal.aborted; delayMs = Math.min(delayMs * 2, 2000)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5000)]) });
        if (response.ok) {
          await ctx.db.update(deployments).set({ status: "running" }).where(eq(deployments.id, deployment.id));
          return `${url} answered 200 after ${Date.now() - startedAt} ms`;
        }
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    throw new Error(`${url} never answered 200 (last: ${lastProblem})`);
  },
};

export const activateDeployment: PipelineStep = {
  name: "activate_deployment",
  title: "Switch traffic to the new deployment",
  async run(ctx) {
    const deployment = await currentDeployment(ctx);
    await ctx.db.transaction(async (tx) => {
      await tx.update(instances).set({ activeDeploymentId: deployment.id }).where(eq(instances.id, ctx.instance.id));
      await tx.update(deployments).set({ activatedAt: new Date() }).where(eq(deployments.id, deployment.id));
    });
    const others = await ctx.db
      .select({ id: deployments.id })
      .from(deployments)
      .where(and(eq(deployments.instanceId, ctx.instance.id), ne(deployments.id, deployment.id), ne(deployments.status, "terminated")));
    const url = instanceSiteUrl(ctx.instance, ctx.env.LYCEUM_BASE_DOMAIN, deployment.address);
    return `${url} now serves deployment ${deployment.id.slice(0, 8)}${others.length ? ` (${others.length} older deployment(s) still up)` : ""}`;
  },
};

export const stopApplicationServers: PipelineStep = {
  name: "stop_servers",
  title: "Stop and delete application servers",
  timeoutMs: 120_000,
  async run(ctx) {
    const { compute } = ctx.infra;
    const result = await removeRecorded(ctx, [COMPUTE_SERVER], async (entry) => {
      if (entry.details.driver !== compute.name) {
        throw new Error(`server ${entry.externalId} runs on the ${String(entry.details.driver)} compute driver, but ${compute.name} is configured`);
      }
      const isUp = (await compute.listServers()).some((server) => server.serverId === entry.externalId);
      await compute.destroyServer(entry.externalId);
      return { existed: isUp };
    });
    await ctx.db.transaction(async (tx) => {
      await tx.update(instances).set({ activeDeploymentId: null }).where(eq(instances.id, ctx.instance.id));
      await tx
        .update(deployments)
        .set({ status: "terminated", terminatedAt: new Date() })
        .where(and(eq(deployments.instanceId, ctx.instance.id), ne(deployments.status, "terminated")));
    });
    return `${countRemoved(result, "server")}; every deployment of the instance is terminated`;
  },
};
