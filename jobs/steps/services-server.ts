// The instance's services server (memcached and Elasticsearch), for plans with `servicesVmFlavor`: booted before the
// deployment's configuration is rendered (which points the application server at it), kept across deployments,
// deleted with the instance.
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
