// The instance's services server (memcached and Elasticsearch), for plans with `servicesVmFlavor`: booted before the
// deployment's configuration is rendered (which points the application server at it), kept across deployments,
// shelved with the application servers of a long suspension, deleted after a plan change away from it and with the
// instance.
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { planById } from "@/server/billing/plans";
import type { Env } from "@/server/env";
import type { PipelineStep, StepContext } from "../runner/types";
import { countRemoved, removeRecorded } from "./ledger-walk";

/** An OVH VM may build for up to OVH_BUILD_TIMEOUT_SECONDS; the step allows all of it and the calls around it. */
const timeoutMs = (config: Env) => (config.COMPUTE_DRIVER === "ovh" ? config.OVH_BUILD_TIMEOUT_SECONDS * 1000 : 0) + 120_000;

export const ensureServicesServer: PipelineStep = {
  name: "services_server",
  title: "Boot the services server (memcached, Elasticsearch)",
  timeoutMs,
  async run(ctx) {
    const plan = planById(ctx.instance.plan);
    const { compute } = ctx.infra;
    if (!plan.servicesVmFlavor) return `skipped: the ${plan.name} plan runs memcached and Elasticsearch on the application server`;
    if (!compute.ensureServicesServer) return `skipped: the ${compute.name} compute driver has no services servers`;
    const details = { driver: compute.name, flavor: plan.servicesVmFlavor };
    const server = await compute.ensureServicesServer({ instanceId: ctx.instance.id, flavor: plan.servicesVmFlavor }, ctx.signal, {
      // In the ledger before the wait: a cancel, timeout or crash while it builds leaves it for teardown to find.
      onServerKnown: async (serverId) => {
        await ctx.ledger.record("compute.services_server", serverId, { ...details, address: null });
      },
      onStillBuilding: (waitedMs) => ctx.log(`The services server is still building after ${Math.round(waitedMs / 1000)} s.`),
    });
    await ctx.ledger.record("compute.services_server", server.serverId, { ...details, address: server.address });
    return server.isNew
      ? `started services server ${server.serverId} (${plan.servicesVmFlavor}) at ${server.address}`
      : `services server ${server.serverId} was already up at ${server.address}`;
  },
};

/** The address the deployment's configuration points memcached and Elasticsearch at, when the instance has one. */
export async function servicesHostOf(ctx: StepContext): Promise<string | undefined> {
  const plan = planById(ctx.instance.plan);
  if (!plan.servicesVmFlavor) return undefined;
  const [server] = await ctx.ledger.list("compute.services_server");
  return server?.details.address ?? undefined;
}

export const removeServicesServer: PipelineStep = {
  name: "remove_services_server",
  title: "Delete the services server",
  timeoutMs: 120_000,
  async run(ctx) {
    const { compute } = ctx.infra;
    const result = await removeRecorded(ctx, "compute.services_server", async (entry) => {
      if (entry.details.driver !== compute.name) {
        throw new Error(`services server ${entry.externalId} runs on the ${entry.details.driver} compute driver, but ${compute.name} is configured`);
      }
      const isUp = (await compute.listServicesServers?.())?.some((server) => server.serverId === entry.externalId) ?? false;
      await compute.destroyServer(entry.externalId);
      return { existed: isUp };
    });
    return countRemoved(result, "services server");
  },
};

/**
 * Shelves the instance's services server with its application servers (a suspension past its grace): it serves
 * no one else, so it costs nothing while nothing reads it. Stopped after the application servers, its clients.
 */
export async function stopServicesServer(ctx: StepContext): Promise<string[]> {
  const stopped = [];
  for (const entry of await ctx.ledger.list("compute.services_server")) {
    await ctx.infra.compute.stopServer(entry.externalId, ctx.signal);
    stopped.push(entry.externalId);
  }
  return stopped;
}

/**
 * In the resume pipeline, before the application servers start (they reach it at boot): the services server
 * starts again (a no-op when it runs) and the ledger takes the address it now has. An OVH VM unshelved may come
 * back on another IP; the deployment was rendered with the old one, so the steps behind `whenServicesServerMoved`
 * bring up a deployment rendered with the new one before the site is served again.
 */
export const startServicesServerAgain: PipelineStep = {
  name: "start_services_server",
  title: "Start the services server stopped during the suspension",
  timeoutMs,
  async run(ctx) {
    const entries = await ctx.ledger.list("compute.services_server");
    if (entries.length === 0) return "no services server was recorded";
    const lines = [];
    for (const entry of entries) {
      const started = await ctx.infra.compute.startServer(entry.externalId, ctx.signal);
      // Its services listen on their own ports: the host alone, as ensureServicesServer gives it.
      const host = started.address.replace(/:\d+$/, "");
      if (host !== entry.details.address) {
        await ctx.ledger.record("compute.services_server", entry.externalId, { ...entry.details, address: host });
        lines.push(`services server ${entry.externalId} is up again at ${host} (it was at ${entry.details.address ?? "no address"})`);
      } else {
        lines.push(`services server ${entry.externalId} is up at ${host}`);
      }
    }
    return lines.join("; ");
  },
};

async function activeDeploymentOf(ctx: StepContext) {
  if (!ctx.instance.activeDeploymentId) return undefined;
  return ctx.db.query.deployments.findFirst({ where: eq(deployments.id, ctx.instance.activeDeploymentId) });
}

/**
 * Whether the serving deployment points memcached and Elasticsearch at an address the services server no longer
 * has, or this operation has already started a deployment to fix that (so a retry, and the steps after the
 * switch, carry on).
 */
async function isServicesServerMoved(ctx: StepContext): Promise<boolean> {
  if (await ctx.db.query.deployments.findFirst({ where: eq(deployments.operationId, ctx.operation.id) })) return true;
  const host = await servicesHostOf(ctx);
  const active = await activeDeploymentOf(ctx);
  return !!host && !!active && active.config?.servicesHost !== host;
}

/**
 * A step that runs only when the services server moved (see isServicesServerMoved). Application servers read the
 * services host once, at boot (an OVH VM's user-data), so a moved services server takes a new deployment.
 */
export function whenServicesServerMoved(step: PipelineStep): PipelineStep {
  return {
    ...step,
    async run(ctx) {
      if (!(await isServicesServerMoved(ctx))) return "skipped: the serving deployment already points at the services server";
      return step.run(ctx);
    },
  };
}

/**
 * In the redeploy pipeline, after the switch and the retirement of the old deployment: a plan change away from a
 * plan with a services server leaves it serving no one; it goes now (until the switch the old deployment served
 * from it). A plan that has one, or a serving deployment that still points at it, keeps it.
 */
export const removeUnneededServicesServer: PipelineStep = {
  name: "remove_unneeded_services_server",
  title: "Delete the services server the plan no longer has",
  timeoutMs: 120_000,
  async run(ctx) {
    const plan = planById(ctx.instance.plan);
    if (plan.servicesVmFlavor) return `kept: the ${plan.name} plan has a services server`;
    if ((await ctx.ledger.list("compute.services_server")).length === 0) return "no services server was recorded";
    const active = await activeDeploymentOf(ctx);
    if (active?.config?.servicesHost) {
      throw new Error(`the serving deployment ${active.id.slice(0, 8)} still points at the services server (${active.config.servicesHost}): it is not removed`);
    }
    return removeServicesServer.run(ctx);
  },
};
