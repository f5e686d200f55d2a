// What is waiting in graphile-worker's queue. Its public `jobs` view hides payloads, so tests read the
// private table (read-only).
import { sql } from "drizzle-orm";
import { db } from "@/db";

type QueuedJob = { task: string; key: string | null; payload: Record<string, unknown>; runAt: Date; attempts: number };

export async function queuedJobs(filter: { task?: string; key?: string } = {}): Promise<QueuedJob[]> {
  const rows = await db.execute<{ task: string; key: string | null; payload: Record<string, unknown>; run_at: string; attempts: number }>(sql`
    select t.identifier as task, j.key, j.payload, j.run_at, j.attempts
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
    where (${filter.task ?? null}::text is null or t.identifier = ${filter.task ?? null})
      and (${filter.key ?? null}::text is null or j.key = ${filter.key ?? null})
    order by j.id`);
  return rows.map((row) => ({ task: row.task, key: row.key, payload: row.payload, runAt: new Date(row.run_at), attempts: row.attempts }));
}

/** Emails queued for `to` (the send_email job's payload is the message). */
export async function queuedEmailsTo(to: string) {
  return (await queuedJobs({ task: "send_email" }))
    .map((job) => job.payload as { to: string; subject: string; text: string; purpose: string })
    .filter((message) => message.to === to);
}
