// graphile-worker keeps a crashed worker's jobs locked for hours (its stale-lock timeout is 4 h). Each of our
// worker processes records a heartbeat with the graphile-worker ids it runs; whoever sees a process whose
// heartbeat is stale releases that process's locks, so a SIGKILLed pipeline resumes within about a minute.
import { hostname } from "node:os";
import { eq, lt, sql } from "drizzle-orm";
import type { WorkerUtils } from "graphile-worker";
import { db } from "@/db";
import { workerProcesses } from "@/db/schema";

export const HEARTBEAT_INTERVAL_MS = 15_000;
export const STALE_AFTER_MS = 45_000;

export async function registerWorkerProcess(id: string) {
  await db.insert(workerProcesses).values({ id, hostname: hostname(), pid: process.pid }).onConflictDoNothing();
}

export async function addGraphileWorkerId(processId: string, workerId: string) {
  await db
    .update(workerProcesses)
    .set({ graphileWorkerIds: sql`array_append(${workerProcesses.graphileWorkerIds}, ${workerId})` })
    .where(eq(workerProcesses.id, processId));
}

export async function beat(processId: string) {
  await db.update(workerProcesses).set({ lastHeartbeatAt: new Date() }).where(eq(workerProcesses.id, processId));
}

export async function unregisterWorkerProcess(processId: string) {
  await db.delete(workerProcesses).where(eq(workerProcesses.id, processId));
}

/**
 * Releases the job locks of every worker that stopped beating, and of lock holders no live process claims
 * (a process killed before it could register). Returns the worker ids it unlocked.
 */
export async function releaseStaleLocks(utils: WorkerUtils, staleAfterMs = STALE_AFTER_MS): Promise<string[]> {
  const cutoff = new Date(Date.now() - staleAfterMs);
  const dead = await db
    .delete(workerProcesses)
    .where(lt(workerProcesses.lastHeartbeatAt, cutoff))
    .returning({ ids: workerProcesses.graphileWorkerIds });
  const orphans = await db.execute<{ locked_by: string }>(sql`
    select distinct locked_by from graphile_worker._private_jobs
    where locked_by is not null and locked_at < ${cutoff.toISOString()}::timestamptz
      and not exists (select 1 from ${workerProcesses} where locked_by = any(${workerProcesses.graphileWorkerIds}))`);
  const ids = [...new Set([...dead.flatMap((row) => row.ids), ...orphans.map((row) => row.locked_by)])];
  if (ids.length > 0) await utils.forceUnlockWorkers(ids);
  return ids;
}
