// Steps that stop the servers of an instance suspended past its grace, and start them again when it resumes.
import { eq } from "drizzle-orm";
import { deploymentServers, deployments } from "@/db/schema";
import { liveServersOf } from "@/server/deployments/app-servers";
import { appendInstanceEvent } from "@/server/instances/events";
import { suspendedPastGrace } from "@/server/instances/suspended-servers";
import type { PipelineStep, StepContext } from "../runner/types";
import { stopServicesServer } from "./services-server";

async function activeDeployment(ctx: StepContext) {
  if (!ctx.instance.activeDeploymentId) return undefined;
  return ctx.db.query.deployments.findFirst({ where: eq(deployments.id, ctx.instance.activeDeploymentId) });
}

/**
 * In the suspend pipeline, after the maintenance page: a fresh suspension keeps its servers (a resume is instant);
 * the sweep (jobs/tasks/stop_suspended_servers.ts) runs the pipeline again once the grace is over, and then they stop.
 */
export const stopServersPastGrace: PipelineStep = {
  name: "stop_suspended_servers",
  title: "Stop the servers of an instance suspended past its grace",
  timeoutMs: 120_000,
  async run(ctx) {
    const days = ctx.env.SUSPENDED_SERVERS_STOP_AFTER_DAYS;
    if (ctx.instance.status !== "suspended" || !suspendedPastGrace(ctx.instance, days, new Date())) {
      return `servers keep running for the first ${days} day(s) of a suspension`;
    }
    if (ctx.infra.frontDoor.maintenancePageNeedsServer) {
      return `servers keep running: the ${ctx.infra.frontDoor.name} front door shows the maintenance page from the instance's own server`;
    }
    const deployment = await activeDeployment(ctx);
    const servers = deployment ? (await liveServersOf(ctx.db, deployment.id)).filter((server) => server.serverId) : [];
    // The services server after its clients; resume starts it whatever the deployment row says (startServer is a
    // no-op on a running server).
    if (!deployment || servers.length === 0) {
      const services = await stopServicesServer(ctx);
      return services.length ? `stopped services server ${services.join(", ")}` : "no server to stop";
    }
    // The database says it first (a resume after a crash here starts the servers, harmless when they run); a retry
    // stops them again, which drivers take as done when they are stopped already, and then tells the owner.
    if (!deployment.serverStoppedAt) await ctx.db.update(deployments).set({ serverStoppedAt: new Date() }).where(eq(deployments.id, deployment.id));
    for (const server of servers) await ctx.infra.compute.stopServer(server.serverId!, ctx.signal);
    const stopped = [...servers.map((server) => server.serverId!), ...(await stopServicesServer(ctx))];
    await appendInstanceEvent(ctx.db, {
      instanceId: ctx.instance.id,
      operationId: ctx.operation.id,
      kind: "log",
      level: "info",
      message: `Servers stopped after ${days} day(s) suspended; they start again when the instance is resumed. Visitors still see the maintenance page.`,
    });
    return `stopped server${stopped.length > 1 ? "s" : ""} ${stopped.join(", ")}`;
  },
};

async function waitForHeartbeat(address: string, signal: AbortSignal, timeoutMs: number) {
  const url = `http://${address}/heartbeat`;
  const giveUpAt = Date.now() + timeoutMs;
  let lastProblem = "no answer yet";
  for (let delayMs = 50; Date.now() < giveUpAt; delayMs = Math.min(delayMs * 2, 2000)) {
    signal.throwIfAborted();
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(5000)]) });
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new Error(`${url} never answered 200 after the server was started again (last: ${lastProblem})`);
}

/** In the resume pipeline, before the site is served: a stopped server starts, on the address it now has. */
export const startStoppedServers: PipelineStep = {
  name: "start_stopped_servers",
  title: "Start the servers stopped during the suspension",
  timeoutMs: (config) => config.heartbeatTimeoutSeconds * 1000,
  async run(ctx) {
    const deployment = await activeDeployment(ctx);
    if (!deployment?.serverStoppedAt) return "the servers were kept running";
    const servers = (await liveServersOf(ctx.db, deployment.id)).filter((server) => server.serverId);
    const lines = [];
    for (const server of servers) {
      const started = await ctx.infra.compute.startServer(server.serverId!, ctx.signal);
      // The load balancer is rendered from these rows by the next step (the local driver may pick a new port, OVH a new IP).
      if (started.address !== server.address) {
        await ctx.db.update(deploymentServers).set({ address: started.address }).where(eq(deploymentServers.id, server.id));
        if (server.serverIndex === 0) await ctx.db.update(deployments).set({ address: started.address }).where(eq(deployments.id, deployment.id));
        await ctx.ledger.record("compute.server", started.serverId, {
          driver: deployment.computeDriver,
          deploymentId: deployment.id,
          serverIndex: server.serverIndex,
          address: started.address,
        });
      }
      await waitForHeartbeat(started.address, ctx.signal, ctx.env.heartbeatTimeoutSeconds * 1000 - 10_000);
      lines.push(`started server ${started.serverId} again at ${started.address}`);
    }
    await ctx.db.update(deployments).set({ serverStoppedAt: null }).where(eq(deployments.id, deployment.id));
    return lines.join("; ") || "no server to start";
  },
};
