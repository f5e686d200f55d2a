// graphile-worker keeps a crashed worker's jobs locked for hours (its stale-lock timeout is 4 h). Each of our
// worker processes records a heartbeat with the graphile-worker ids it runs; whoever sees a process whose
// heartbeat is stale releases that process's locks, so a SIGKILLed pipeline resumes within about a minute.
import { hostname } from "node:os";
import { eq, lt, sql } from "drizzle-orm";
import type { WorkerUtils } from "graphile-worker";
import { db } from "@/db";
import { workerProcesses } from "@/db/schema";
import { STALE_AFTER_MS } from "@/server/queue/worker-heartbeat";

/** What a process knows of its own row, so a heartbeat can write the row back whole if a reaper removed it. */
type WorkerProcessIdentity = { id: string; graphileWorkerIds: string[]; metricsAddress: string | null };

export async function registerWorkerProcess(id: string): Promise<WorkerProcessIdentity> {
  await db.insert(workerProcesses).values({ id, hostname: hostname(), pid: process.pid }).onConflictDoNothing();
  return { id, graphileWorkerIds: [], metricsAddress: null };
}

export async function addGraphileWorkerId(identity: WorkerProcessIdentity, workerId: string) {
  identity.graphileWorkerIds.push(workerId);
  await db
    .update(workerProcesses)
    .set({ graphileWorkerIds: sql`array_append(${workerProcesses.graphileWorkerIds}, ${workerId})` })
    .where(eq(workerProcesses.id, identity.id));
}

/**
 * An upsert on the database's clock. After a gap longer than the staleness limit (a Postgres outage, a stalled
 * event loop) another worker has deleted this row and released its locks; an update would then match nothing,
 * and this live worker would be taken for dead again on every round. Writing the row back ends that.
 */
export async function beat(identity: WorkerProcessIdentity) {
  await db
    .insert(workerProcesses)
    .values({
      id: identity.id,
      hostname: hostname(),
      pid: process.pid,
      graphileWorkerIds: identity.graphileWorkerIds,
      metricsAddress: identity.metricsAddress,
      lastHeartbeatAt: sql`now()`,
    })
    .onConflictDoUpdate({ target: workerProcesses.id, set: { lastHeartbeatAt: sql`now()` } });
}

export async function unregisterWorkerProcess(processId: string) {
  await db.delete(workerProcesses).where(eq(workerProcesses.id, processId));
}

/**
 * Releases the job locks of every worker that stopped beating, and of lock holders no live process claims
 * (a process killed before it could register). Returns the worker ids it unlocked.
 */
export async function releaseStaleLocks(utils: WorkerUtils, staleAfterMs = STALE_AFTER_MS): Promise<string[]> {
  // The database's clock on both sides: heartbeats and job locks are stamped by Postgres, so a worker whose own
  // clock runs ahead must not judge a live neighbour stale.
  const cutoff = sql`now() - make_interval(secs => ${staleAfterMs / 1000})`;
  const dead = await db
    .delete(workerProcesses)
    .where(lt(workerProcesses.lastHeartbeatAt, cutoff))
    .returning({ ids: workerProcesses.graphileWorkerIds });
  const orphans = await db.execute<{ locked_by: string }>(sql`
    select distinct locked_by from graphile_worker._private_jobs
    where locked_by is not null and locked_at < ${cutoff}
      and not exists (select 1 from ${workerProcesses} where locked_by = any(${workerProcesses.graphileWorkerIds}))`);
  const ids = [...new Set([...dead.flatMap((row) => row.ids), ...orphans.map((row) => row.locked_by)])];
  if (ids.length > 0) await utils.forceUnlockWorkers(ids);
  return ids;
}
