// How many application servers an instance runs, and the rules a deployment's set of servers follows: how
// many make it healthy (a quorum), and each server's state as its health checks see it.
import { and, asc, eq, ne } from "drizzle-orm";
import type { Queryable } from "@/db";
import { deploymentServers, type AppServerState, type DeploymentServer, type Instance } from "@/db/schema";
import { planById } from "@/server/billing/plans";
import { appendInstanceEvent } from "@/server/instances/events";

/** The most servers staff may give one instance (each is a VM of the plan's size, billed to us). */
export const MAX_APP_SERVERS = 10;

/** The instance's number of application servers: staff's override, else its plan's. */
export function appServerCountFor(instance: Pick<Instance, "plan" | "appServersOverride">): number {
  return instance.appServersOverride ?? planById(instance.plan).appServers;
}

/** The range autoscaling keeps the instance in, or null: its plan does not autoscale, or staff pinned the number. */
export function autoscaleRangeOf(instance: Pick<Instance, "plan" | "appServersOverride">): { minServers: number; maxServers: number } | null {
  const policy = planById(instance.plan).autoscale;
  return policy && instance.appServersOverride === null ? { minServers: policy.minServers, maxServers: policy.maxServers } : null;
}

/** A deployment serves when more than half its servers answer: 1 of 1, 2 of 2, 2 of 3, 3 of 4. */
export function quorumOf(serverCount: number): number {
  return Math.floor(serverCount / 2) + 1;
}

/** The servers a deployment has not removed, by index. */
export async function liveServersOf(q: Queryable, deploymentId: string): Promise<DeploymentServer[]> {
  return q
    .select()
    .from(deploymentServers)
    .where(and(eq(deploymentServers.deploymentId, deploymentId), ne(deploymentServers.state, "removed")))
    .orderBy(asc(deploymentServers.serverIndex));
}

/** Every server a deployment ever had, removed ones included, by index. */
export async function allServersOf(q: Queryable, deploymentId: string): Promise<DeploymentServer[]> {
  return q.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, deploymentId)).orderBy(asc(deploymentServers.serverIndex));
}

/** "server 2 (local-1a2b…)" in messages: the index people count from 1. */
export function appServerLabel(server: Pick<DeploymentServer, "serverIndex" | "serverId">) {
  return `server ${server.serverIndex + 1}${server.serverId ? ` (${server.serverId})` : ""}`;
}

/**
 * Records what a check found; a change of state is a line in the instance's log. A failing server keeps the
 * time it started failing (the replacement threshold counts from there); a healthy answer clears it.
 */
export async function recordAppServerCheck(
  q: Queryable,
  server: DeploymentServer,
  isHealthy: boolean,
  options: { now?: Date; operationId?: string | null; step?: string | null; why?: string } = {},
): Promise<DeploymentServer> {
  const now = options.now ?? new Date();
  const state: AppServerState = isHealthy ? "healthy" : server.state === "booting" ? "booting" : "failing";
  const failingSince = state === "failing" ? (server.failingSince ?? now) : null;
  const [updated] = await q
    .update(deploymentServers)
    .set({ state, failingSince, checkedAt: now })
    .where(eq(deploymentServers.id, server.id))
    .returning();
  if (server.state !== state) {
    await appendInstanceEvent(q, {
      instanceId: server.instanceId,
      operationId: options.operationId ?? null,
      kind: "log",
      step: options.step ?? null,
      level: state === "healthy" ? "success" : state === "failing" ? "warn" : "info",
      message: `Application ${appServerLabel(server)}: ${server.state} → ${state}${options.why ? ` (${options.why})` : ""}`,
      data: { deploymentId: server.deploymentId, serverIndex: server.serverIndex, from: server.state, to: state },
    });
  }
  return updated!;
}

/** Asks a server's /heartbeat once; a 200 within the time allowed is healthy. Returns what went wrong otherwise. */
export async function probeHeartbeat(address: string, signal: AbortSignal, timeoutMs = 5000): Promise<{ isHealthy: boolean; problem: string | null }> {
  try {
    const response = await fetch(`http://${address}/heartbeat`, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) });
    await response.body?.cancel();
    return response.ok ? { isHealthy: true, problem: null } : { isHealthy: false, problem: `HTTP ${response.status}` };
  } catch (error) {
    signal.throwIfAborted();
    return { isHealthy: false, problem: (error as Error).message };
  }
}
