// graphile-worker keeps a crashed worker's jobs locked for hours (its stale-lock timeout is 4 h). Each of our
// worker processes records a heartbeat with the graphile-worker ids it runs; whoever sees a process whose
// heartbeat is stale releases that process's locks, so a SIGKILLed pipeline resumes within about a minute.
import { hostname } from "node:os";
import { and, eq, lt, sql } from "drizzle-orm";
import type { WorkerUtils } from "graphile-worker";
import postgres from "postgres";
import { db } from "@/db";
import { workerProcesses } from "@/db/schema";
import { STALE_AFTER_MS } from "@/server/queue/worker-heartbeat";

const LIVENESS_NAMESPACE = 4_242_003;

/**
 * A stale heartbeat is not proof of death: a worker whose link to Postgres stalls, or whose event loop stops for a
 * minute, is still running its jobs, and releasing them would run a step twice beside itself. Each process
 * therefore holds a lock named after it on a session of its own for as long as it lives. A killed process's
 * session ends with it (its socket closes) and frees the lock at once; a vanished host's session is ended by the
 * server's TCP keepalives within about a minute. The reaper releases only processes whose lock it can take.
 */
export async function holdLivenessLock(processId: string, databaseUrl: string) {
  let isHeld = false;
  const session = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    onclose: () => void (isHeld = false),
    // The server probes this session's peer after 20 s of silence, every 10 s, and ends it after 3 unanswered.
    connection: { application_name: `lyceum-worker-liveness ${processId}`, tcp_keepalives_idle: 20, tcp_keepalives_interval: 10, tcp_keepalives_count: 3 },
  });
  const take = async () => {
    const [row] = await session<{ isTaken: boolean }[]>`select pg_try_advisory_lock(${LIVENESS_NAMESPACE}, hashtext(${processId})) as "isTaken"`;
    isHeld = Boolean(row?.isTaken);
  };
  await take();
  return {
    /** Takes the lock again when its session was lost (Postgres restarted); call it once Postgres answers again. */
    renew: async () => {
      if (!isHeld) await take();
    },
    close: () => session.end({ timeout: 5 }),
  };
}

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
  // The transaction-level try-lock is released when this statement ends; it fails while the process lives.
  const dead = await db
    .delete(workerProcesses)
    .where(and(lt(workerProcesses.lastHeartbeatAt, cutoff), sql`pg_try_advisory_xact_lock(${LIVENESS_NAMESPACE}, hashtext(${workerProcesses.id}))`))
    .returning({ ids: workerProcesses.graphileWorkerIds });
  const orphans = await db.execute<{ locked_by: string }>(sql`
    select distinct locked_by from graphile_worker._private_jobs
    where locked_by is not null and locked_at < ${cutoff}
      and not exists (select 1 from ${workerProcesses} where locked_by = any(${workerProcesses.graphileWorkerIds}))`);
  const ids = [...new Set([...dead.flatMap((row) => row.ids), ...orphans.map((row) => row.locked_by)])];
  if (ids.length > 0) await utils.forceUnlockWorkers(ids);
  return ids;
}
