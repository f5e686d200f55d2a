// Read models of the job queue for the staff queue page and the queue gauges: graphile-worker's jobs (its
// public `jobs` view) by task and state, failed jobs, the age of the oldest waiting job, and live workers.
import { desc, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { workerProcesses } from "@/db/schema";
import { STALE_AFTER_MS } from "@/server/queue/worker-heartbeat";

/**
 * waiting: ready to run now; scheduled: its first run is in the future; retrying: failed, waiting for its
 * back-off; running: locked by a worker; failed: no attempts left (graphile-worker keeps it until removed).
 */
export const JOB_STATES = ["waiting", "scheduled", "retrying", "running", "failed"] as const;
type JobState = (typeof JOB_STATES)[number];

const JOB_STATE_SQL = sql`case
  when locked_at is not null then 'running'
  when attempts >= max_attempts then 'failed'
  when run_at > now() and attempts > 0 then 'retrying'
  when run_at > now() then 'scheduled'
  else 'waiting' end`;

export async function jobCountsByTaskAndState(q: Queryable) {
  const rows = await q.execute<{ task: string; state: JobState; count: number }>(sql`
    select task_identifier as task, ${JOB_STATE_SQL} as state, count(*)::int as count
    from graphile_worker.jobs group by 1, 2 order by 1, 2`);
  return [...rows];
}

/** Seconds the longest-waiting runnable job has waited past its run_at (0 when none waits). */
export async function oldestWaitingJobAgeSeconds(q: Queryable): Promise<number> {
  const [row] = await q.execute<{ age: number | null }>(sql`
    select extract(epoch from now() - min(run_at))::float8 as age from graphile_worker.jobs
    where locked_at is null and attempts < max_attempts and run_at <= now()`);
  return Math.max(0, Number(row?.age ?? 0));
}

export async function failedJobs(q: Queryable, limit = 100) {
  const rows = await q.execute<{
    id: string;
    task: string;
    attempts: number;
    max_attempts: number;
    last_error: string | null;
    key: string | null;
    created_at: string;
    updated_at: string;
  }>(sql`
    select id::text, task_identifier as task, attempts, max_attempts, last_error, key, created_at, updated_at
    from graphile_worker.jobs where attempts >= max_attempts and locked_at is null
    order by updated_at desc limit ${limit}`);
  return rows.map((row) => ({
    id: row.id,
    task: row.task,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    // Only the first line: graphile-worker stores the whole stack.
    lastError: row.last_error?.split("\n")[0] ?? null,
    key: row.key,
    createdAt: new Date(row.created_at),
    failedAt: new Date(row.updated_at),
  }));
}

/** Each worker with its heartbeat's age on the database's clock (the one that stamped it), not the web's. */
export async function workersWithHeartbeat(q: Queryable) {
  const rows = await q
    .select({ worker: workerProcesses, ageMs: sql<number>`(extract(epoch from now() - ${workerProcesses.lastHeartbeatAt}) * 1000)::float8` })
    .from(workerProcesses)
    .orderBy(desc(workerProcesses.lastHeartbeatAt));
  return rows.map(({ worker, ageMs }) => ({
    ...worker,
    isLive: ageMs < STALE_AFTER_MS,
    heartbeatAgeSeconds: Math.max(0, Math.round(ageMs / 1000)),
  }));
}

export async function liveWorkerCount(q: Queryable): Promise<number> {
  const [row] = await q.execute<{ count: number }>(sql`
    select count(*)::int as count from ${workerProcesses}
    where last_heartbeat_at > now() - make_interval(secs => ${STALE_AFTER_MS / 1000})`);
  return row?.count ?? 0;
}
