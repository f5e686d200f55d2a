// Autoscaling, for plans that opt in (server/billing/plans.ts `autoscale`): every AUTOSCALE_SAMPLE_SECONDS the
// worker reads each instance's request counter and response time from HAProxy; load above the plan's threshold for
// AUTOSCALE_OUT_AFTER_SECONDS adds a server (a scale_out operation), load below the scale-in threshold for
// AUTOSCALE_IN_AFTER_SECONDS removes one (scale_in), between the plan's minimum and maximum. A decision is an
// instance event with its reason and the numbers it was made on. An instance with another operation running is not
// scaled (one operation per instance): its sustained load is remembered and acted on once that operation ends.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db";
import { autoscaleStates, deployments, instances, type AutoscaleState } from "@/db/schema";
import { planById, type AutoscalePolicy } from "@/server/billing/plans";
import type { LoadReader, SiteLoad } from "@/server/infra/load-balancer/load";
import { appendInstanceEvent } from "@/server/instances/events";
import { activeOperation, OperationInProgressError, startOperation } from "@/server/instances/operations";

type AutoscaleTiming = { outAfterSeconds: number; inAfterSeconds: number };

/** What one sample measured for one instance, between two readings of the same HAProxy process. */
export type LoadSample = { requestsPerSecond: number; requestsPerSecondPerServer: number; responseTimeMs: number | null };

type LoadLevel = "high" | "low" | "normal";

/**
 * High when the rate per server or the response time is above the scale-out thresholds; low when the rate per
 * server is below the scale-in threshold and the response time is not high. HAProxy's response time is an average
 * over the last requests, so it stays at its last value while no request comes: it counts only when some came.
 */
export function loadLevel(sample: LoadSample, policy: AutoscalePolicy): LoadLevel {
  const isSlow = sample.responseTimeMs !== null && sample.responseTimeMs > policy.scaleOutResponseTimeMs;
  if (isSlow || sample.requestsPerSecondPerServer > policy.scaleOutRequestsPerSecondPerServer) return "high";
  if (sample.requestsPerSecondPerServer < policy.scaleInRequestsPerSecondPerServer) return "low";
  return "normal";
}

type ScalingDecision = { direction: "out" | "in"; from: number; to: number; reason: string };

/**
 * Whether the load has been high (or low) for long enough to act, given since when it has been, and the server
 * count the deployment is meant to have. Pure: the sweep below records the times and carries the decision out.
 */
export function decideScaling(input: {
  level: LoadLevel;
  highSince: Date | null;
  lowSince: Date | null;
  now: Date;
  servers: number;
  sample: LoadSample;
  policy: AutoscalePolicy;
  timing: AutoscaleTiming;
}): ScalingDecision | null {
  const { level, now, servers, sample, policy, timing } = input;
  const heldSeconds = (since: Date | null) => (since ? (now.getTime() - since.getTime()) / 1000 : 0);
  const measured = `${sample.requestsPerSecond.toFixed(1)} requests/s over ${servers} server(s) (${sample.requestsPerSecondPerServer.toFixed(1)} per server), average response ${sample.responseTimeMs ?? "–"} ms`;
  if (level === "high" && input.highSince && heldSeconds(input.highSince) >= timing.outAfterSeconds && servers < policy.maxServers) {
    const over =
      sample.responseTimeMs !== null && sample.responseTimeMs > policy.scaleOutResponseTimeMs
        ? `the average response time has been above ${policy.scaleOutResponseTimeMs} ms`
        : `the load has been above ${policy.scaleOutRequestsPerSecondPerServer} requests/s per server`;
    return { direction: "out", from: servers, to: servers + 1, reason: `${over} for ${Math.round(heldSeconds(input.highSince))} s (now ${measured})` };
  }
  if (level === "low" && input.lowSince && heldSeconds(input.lowSince) >= timing.inAfterSeconds && servers > policy.minServers) {
    return {
      direction: "in",
      from: servers,
      to: servers - 1,
      reason: `the load has been below ${policy.scaleInRequestsPerSecondPerServer} requests/s per server for ${Math.round(heldSeconds(input.lowSince))} s (now ${measured})`,
    };
  }
  return null;
}

type SweepResult = { sampled: number; decisions: (ScalingDecision & { instanceId: string })[]; deferred: string[] };

/**
 * One sample of every autoscaled instance, and the decisions it leads to. Runs under a transaction-level advisory
 * lock: two workers sampling at once would each measure half an interval, and could both decide.
 */
export async function autoscaleInstances(db: Database, reader: LoadReader, options: { timing: AutoscaleTiming; now?: Date }): Promise<SweepResult> {
  const result: SweepResult = { sampled: 0, decisions: [], deferred: [] };
  const reading = await reader.readLoad();
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    const [{ isLocked } = { isLocked: false }] = await tx.execute<{ isLocked: boolean }>(
      sql`select pg_try_advisory_xact_lock(hashtextextended('lyceum:autoscale', 0)) as "isLocked"`,
    );
    if (!isLocked) return;
    const rows = await tx
      .select({ instance: instances, deployment: deployments, state: autoscaleStates })
      .from(instances)
      .innerJoin(deployments, eq(deployments.id, instances.activeDeploymentId))
      .leftJoin(autoscaleStates, eq(autoscaleStates.instanceId, instances.id))
      // A staff override pins the number of servers: the autoscaler leaves such an instance alone.
      .where(and(eq(instances.status, "running"), eq(deployments.status, "running"), isNull(instances.appServersOverride)));
    for (const { instance, deployment, state } of rows) {
      const policy = planById(instance.plan).autoscale;
      const site = reading.sites.get(instance.id);
      if (!policy || !site) continue;
      const sample = measure(state, site, reading.processId, now);
      if (!sample) {
        // A first reading, or the first from a new HAProxy process: only a starting point. Since when the load has
        // been high or low is kept (a reload does not change the load).
        await saveState(tx, instance.id, { processId: reading.processId, site, now, highSince: state?.highSince ?? null, lowSince: state?.lowSince ?? null });
        continue;
      }
      result.sampled += 1;
      const level = loadLevel(sample, policy);
      const highSince = level === "high" ? (state?.highSince ?? now) : null;
      const lowSince = level === "low" ? (state?.lowSince ?? now) : null;
      const decision = decideScaling({ level, highSince, lowSince, now, servers: deployment.serverCount, sample, policy, timing: options.timing });
      let isActedOn = false;
      if (decision) {
        if (await activeOperation(tx, instance.id)) result.deferred.push(instance.id);
        else {
          isActedOn = await startScaling(tx, instance.id, deployment.id, decision, sample);
          if (isActedOn) result.decisions.push({ ...decision, instanceId: instance.id });
          else result.deferred.push(instance.id);
        }
      }
      // A decision carried out starts the next period afresh: one server at a time, each on its own sustained load.
      await saveState(tx, instance.id, {
        processId: reading.processId,
        site,
        now,
        highSince: isActedOn ? null : highSince,
        lowSince: isActedOn ? null : lowSince,
      });
    }
  });
  return result;
}

/** The rate since the last reading of the same process; null when there is none to measure from. */
function measure(state: AutoscaleState | null, site: SiteLoad, processId: number, now: Date): LoadSample | null {
  if (!state || state.haproxyProcessId !== processId || site.requestsTotal < state.requestsTotal) return null;
  const seconds = (now.getTime() - state.sampledAt.getTime()) / 1000;
  if (seconds <= 0) return null;
  const requests = site.requestsTotal - state.requestsTotal;
  const requestsPerSecond = requests / seconds;
  return {
    requestsPerSecond,
    requestsPerSecondPerServer: requestsPerSecond / Math.max(1, site.serversUp),
    responseTimeMs: requests > 0 ? site.responseTimeMs : null,
  };
}

async function saveState(
  q: Queryable,
  instanceId: string,
  values: { processId: number; site: SiteLoad; now: Date; highSince: Date | null; lowSince: Date | null },
) {
  const row = {
    haproxyProcessId: values.processId,
    requestsTotal: values.site.requestsTotal,
    sampledAt: values.now,
    highSince: values.highSince,
    lowSince: values.lowSince,
  };
  await q.insert(autoscaleStates).values({ instanceId, ...row }).onConflictDoUpdate({ target: autoscaleStates.instanceId, set: row });
}

/**
 * The decision as an operation: the deployment's server count moves to its new number in the same transaction (the
 * operation's steps bring the servers to it), and the instance's log says why, with the numbers.
 */
async function startScaling(tx: Queryable, instanceId: string, deploymentId: string, decision: ScalingDecision, sample: LoadSample): Promise<boolean> {
  const message =
    decision.direction === "out"
      ? `Autoscaling: adding a server (${decision.from} → ${decision.to}): ${decision.reason}.`
      : `Autoscaling: removing a server (${decision.from} → ${decision.to}): ${decision.reason}.`;
  try {
    const operation = await startOperation(tx, {
      instanceId,
      kind: decision.direction === "out" ? "scale_out" : "scale_in",
      initiator: "system",
      reason: message,
    });
    await tx.update(deployments).set({ serverCount: decision.to }).where(eq(deployments.id, deploymentId));
    await appendInstanceEvent(tx, {
      instanceId,
      operationId: operation.id,
      kind: "log",
      level: "info",
      message,
      data: {
        autoscale: decision.direction,
        from: decision.from,
        to: decision.to,
        requestsPerSecond: Number(sample.requestsPerSecond.toFixed(2)),
        requestsPerSecondPerServer: Number(sample.requestsPerSecondPerServer.toFixed(2)),
        responseTimeMs: sample.responseTimeMs,
      },
    });
    return true;
  } catch (error) {
    if (error instanceof OperationInProgressError) return false;
    throw error;
  }
}
