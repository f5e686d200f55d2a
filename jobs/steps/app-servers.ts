// Steps that add, replace and remove an instance's application servers. New ones boot and join the load balancer
// before failing ones are removed, so the instance never has fewer servers in rotation than it had; a server leaves
// drained: out of service on every HAProxy first, and removed once the requests it was answering are done.
import { and, eq, inArray } from "drizzle-orm";
import { deploymentServers, deployments } from "@/db/schema";
import type { DeploymentServer } from "@/db/schema";
import { allServersOf, appServerLabel, liveServersOf, probeHeartbeat, recordAppServerCheck } from "@/server/deployments/app-servers";
import type { Env } from "@/server/env";
import type { PipelineStep, StepContext } from "../runner/types";
import { bootAppServer } from "./deployment";

async function activeDeployment(ctx: StepContext) {
  if (!ctx.instance.activeDeploymentId) throw new Error("the instance has no active deployment");
  const deployment = await ctx.db.query.deployments.findFirst({ where: eq(deployments.id, ctx.instance.activeDeploymentId) });
  if (!deployment) throw new Error(`the active deployment ${ctx.instance.activeDeploymentId} does not exist`);
  return deployment;
}

const HEARTBEAT_MARGIN_MS = 10_000;
const heartbeatTimeoutMs = (config: Env) => config.heartbeatTimeoutSeconds * 1000;

/**
 * Boots as many new servers as the deployment is short of healthy ones (a retry counts the ones it already
 * booted), waits for their heartbeat, then marks the failing ones removed: the next step's load balancer sync adds
 * the new and drops the old in one seamless reload.
 */
export const bootReplacementServers: PipelineStep = {
  name: "boot_replacement_servers",
  title: "Boot replacement application servers",
  timeoutMs: (config) => heartbeatTimeoutMs(config) + drainTimeoutMs(config) + (config.COMPUTE_DRIVER === "ovh" ? config.OVH_BUILD_TIMEOUT_SECONDS * 1000 : 60_000),
  async run(ctx) {
    const deployment = await activeDeployment(ctx);
    const live = await liveServersOf(ctx.db, deployment.id);
    const failing = live.filter((server) => server.state === "failing");
    if (failing.length === 0) return "no server is failing any more: nothing to replace";
    const standing = live.filter((server) => server.state !== "failing");
    const missing = Math.max(0, deployment.serverCount - standing.length);
    const nextIndex = Math.max(-1, ...(await allServersOf(ctx.db, deployment.id)).map((server) => server.serverIndex)) + 1;
    const booted = await Promise.all(Array.from({ length: missing }, (_, offset) => bootAppServer(ctx, deployment, nextIndex + offset)));
    // Wait for every server booted now or by an earlier attempt of this step.
    await waitForHeartbeats(ctx, [...standing.filter((server) => server.state === "booting"), ...booted.map(({ server }) => server)], "boot_replacement_servers", "the failing one(s) stay until a retry");
    // A failing server may still be finishing requests it took before its checks failed.
    const drained = await drainLeavingServers(ctx, failing);
    await ctx.db
      .update(deploymentServers)
      .set({ state: "removed", removedAt: new Date() })
      .where(inArray(deploymentServers.id, failing.map((server) => server.id)));
    const added = booted.map(({ server }) => `${appServerLabel(server)} at ${server.address}`);
    return `${added.length ? `added ${added.join(", ")}` : "the replacements were already up"}; out of service: ${failing.map((server) => appServerLabel(server)).join(", ")}${drained}`;
  },
};

const drainTimeoutMs = (config: Env) => config.SCALE_IN_DRAIN_SECONDS * 1000;

/**
 * Puts the leaving servers into maintenance on every HAProxy serving now (no new request reaches them; a sticky
 * visitor goes to another server) and waits until none has a session on them, SCALE_IN_DRAIN_SECONDS at most: the
 * reload that drops them and their destruction come after, so no request they were answering is cut. Returns what
 * it did, for the step's result.
 */
async function drainLeavingServers(ctx: StepContext, servers: DeploymentServer[]): Promise<string> {
  const addresses = servers.flatMap((server) => (server.address ? [server.address] : []));
  const { loadBalancer } = ctx.infra;
  if (!addresses.length || !loadBalancer) return "";
  if (!loadBalancer.runtime) return "; not drained: no HAProxy stats to drain through (HAPROXY_STATS_URLS)";
  const result = await loadBalancer.runtime.drainServers(ctx.instance.id, addresses, { timeoutMs: drainTimeoutMs(ctx.env), signal: ctx.signal });
  return `; ${result.summary}`;
}

/**
 * Waits until each server answers /heartbeat (recording it healthy), within the heartbeat timeout; throws naming the
 * ones that never did, and `whatThen` happens to them.
 */
async function waitForHeartbeats(ctx: StepContext, servers: DeploymentServer[], step: string, whatThen: string) {
  let waiting = servers;
  const giveUpAt = Date.now() + heartbeatTimeoutMs(ctx.env) - HEARTBEAT_MARGIN_MS;
  let lastProblem = "no answer yet";
  for (let delayMs = 50; waiting.length > 0; delayMs = Math.min(delayMs * 2, 2000)) {
    const stillWaiting = [];
    for (const server of waiting) {
      const { isHealthy, problem } = await probeHeartbeat(server.address!, ctx.signal);
      if (isHealthy) await recordAppServerCheck(ctx.db, server, true, { operationId: ctx.operation.id, step });
      else {
        stillWaiting.push(server);
        lastProblem = problem ?? lastProblem;
      }
    }
    waiting = stillWaiting;
    if (waiting.length === 0) break;
    if (Date.now() >= giveUpAt) {
      throw new Error(`${waiting.map((server) => appServerLabel(server)).join(", ")} never answered /heartbeat (last: ${lastProblem}); ${whatThen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * Scaling out: boots as many servers as the deployment is short of its (raised) server count, counting the ones
 * an earlier attempt booted, and waits for their heartbeat; the next step's load balancer sync adds them.
 */
export const bootAddedServers: PipelineStep = {
  name: "boot_added_servers",
  title: "Boot the added application servers",
  timeoutMs: (config) => heartbeatTimeoutMs(config) + (config.COMPUTE_DRIVER === "ovh" ? config.OVH_BUILD_TIMEOUT_SECONDS * 1000 : 60_000),
  async run(ctx) {
    const deployment = await activeDeployment(ctx);
    const standing = (await liveServersOf(ctx.db, deployment.id)).filter((server) => server.state !== "failing");
    const missing = Math.max(0, deployment.serverCount - standing.length);
    const nextIndex = Math.max(-1, ...(await allServersOf(ctx.db, deployment.id)).map((server) => server.serverIndex)) + 1;
    const booted = await Promise.all(Array.from({ length: missing }, (_, offset) => bootAppServer(ctx, deployment, nextIndex + offset)));
    await waitForHeartbeats(ctx, [...standing.filter((server) => server.state === "booting"), ...booted.map(({ server }) => server)], "boot_added_servers", "the instance keeps serving on the others");
    const added = booted.map(({ server }) => `${appServerLabel(server)} at ${server.address}`);
    return `${added.length ? `added ${added.join(", ")}` : "nothing to add"}; ${deployment.serverCount} server(s) in the deployment`;
  },
};

/**
 * Scaling in: drains the surplus servers (a failing one first, else the newest), then takes them out of the
 * deployment's set, so the next step's load balancer sync drops them; the step after destroys them.
 */
export const takeSurplusServersOut: PipelineStep = {
  name: "take_surplus_servers_out",
  title: "Take surplus application servers out of rotation",
  timeoutMs: (config) => drainTimeoutMs(config) + 30_000,
  async run(ctx) {
    const deployment = await activeDeployment(ctx);
    const live = await liveServersOf(ctx.db, deployment.id);
    const surplus = Math.max(0, live.length - Math.max(1, deployment.serverCount));
    if (surplus === 0) return `nothing to take out; ${live.length} server(s) in the deployment`;
    const byPreference = [...live].sort((a, b) => Number(b.state !== "healthy") - Number(a.state !== "healthy") || b.serverIndex - a.serverIndex);
    const leaving = byPreference.slice(0, surplus);
    const drained = await drainLeavingServers(ctx, leaving);
    await ctx.db
      .update(deploymentServers)
      .set({ state: "removed", removedAt: new Date() })
      .where(inArray(deploymentServers.id, leaving.map((server) => server.id)));
    return `out of rotation: ${leaving.map((server) => appServerLabel(server)).join(", ")}; ${live.length - surplus} server(s) stay${drained}`;
  },
};

/** After the load balancer no longer names them: the replaced servers are destroyed and leave the ledger. */
export const destroyReplacedServers: PipelineStep = {
  name: "destroy_replaced_servers",
  title: "Destroy the replaced application servers",
  timeoutMs: 120_000,
  async run(ctx) {
    const deployment = await activeDeployment(ctx);
    const removed = await ctx.db
      .select()
      .from(deploymentServers)
      .where(and(eq(deploymentServers.deploymentId, deployment.id), eq(deploymentServers.state, "removed")));
    const recorded = await ctx.ledger.list("compute.server");
    const destroyed: string[] = [];
    for (const server of removed) {
      const entry = recorded.find((candidate) => candidate.externalId === server.serverId);
      if (!entry) continue; // destroyed by an earlier attempt
      await ctx.infra.compute.destroyServer(entry.externalId);
      await ctx.ledger.markDeleted(entry.id);
      destroyed.push(appServerLabel(server));
    }
    return destroyed.length ? `destroyed ${destroyed.join(", ")}` : "nothing left to destroy";
  },
};
