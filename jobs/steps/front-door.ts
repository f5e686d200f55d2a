// Steps that change what visitors of an instance get, without touching its servers or data.
import { eq } from "drizzle-orm";
import { deployments, instances } from "@/db/schema";
import type { FrontDoorTarget } from "@/server/infra/front-door/driver";
import { servedHostnames } from "@/server/instances/hostnames";
import type { PipelineStep, StepContext } from "../runner/types";

async function frontDoorTarget(ctx: StepContext): Promise<FrontDoorTarget> {
  const deployment = ctx.instance.activeDeploymentId
    ? await ctx.db.query.deployments.findFirst({ where: eq(deployments.id, ctx.instance.activeDeploymentId) })
    : undefined;
  return {
    instanceId: ctx.instance.id,
    hostnames: Object.values(servedHostnames(ctx.instance, ctx.env.LYCEUM_BASE_DOMAIN)),
    backendAddress: deployment?.address ?? null,
  };
}

export const showMaintenancePage: PipelineStep = {
  name: "show_maintenance_page",
  title: "Show visitors the maintenance page",
  timeoutMs: 30_000,
  async run(ctx) {
    const target = await frontDoorTarget(ctx);
    // The database says it first: the load balancer is rendered from it (and a retry finds it set already).
    if (!ctx.instance.maintenancePageSince) {
      await ctx.db.update(instances).set({ maintenancePageSince: new Date() }).where(eq(instances.id, ctx.instance.id));
    }
    await ctx.infra.frontDoor.showMaintenancePage(target, ctx.signal);
    return `${target.hostnames[0]} answers with the maintenance page (HTTP 503); servers and data are untouched`;
  },
};

export const serveSiteAgain: PipelineStep = {
  name: "serve_site",
  title: "Serve the site to visitors again",
  timeoutMs: 30_000,
  async run(ctx) {
    const target = await frontDoorTarget(ctx);
    await ctx.db.update(instances).set({ maintenancePageSince: null }).where(eq(instances.id, ctx.instance.id));
    await ctx.infra.frontDoor.serveNormally(target, ctx.signal);
    return target.backendAddress
      ? `${target.hostnames[0]} serves the site again from ${target.backendAddress}`
      : `${target.hostnames[0]} no longer shows the maintenance page (no deployment is serving yet)`;
  },
};
