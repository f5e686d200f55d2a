// Adds graphile-worker jobs through its SQL API, so a job can be added in the same transaction as the
// rows that call for it (the web process never loads graphile-worker itself).
import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { jobPayloads, type JobName, type JobPayload } from "./payloads";

type EnqueueOptions = {
  /** De-duplicates: adding a job with the key of a pending one replaces it instead of adding another. */
  jobKey?: string;
  /** With a jobKey: `preserve_run_at` keeps a pending job's run time (a later re-add cannot delay it). */
  jobKeyMode?: "replace" | "preserve_run_at";
  runAt?: Date;
  maxAttempts?: number;
  priority?: number;
};

export async function enqueueJob<N extends JobName>(
  q: Queryable,
  name: N,
  payload: JobPayload<N>,
  options: EnqueueOptions = {},
): Promise<{ id: string }> {
  const parsed = jobPayloads[name].parse(payload);
  const rows = await q.execute<{ id: string }>(sql`
    select id::text from graphile_worker.add_job(
      ${name},
      ${JSON.stringify(parsed)}::json,
      run_at => ${options.runAt?.toISOString() ?? null}::timestamptz,
      max_attempts => ${options.maxAttempts ?? null}::int,
      job_key => ${options.jobKey ?? null}::text,
      priority => ${options.priority ?? null}::int,
      job_key_mode => ${options.jobKeyMode ?? "replace"}::text
    )`);
  return { id: rows[0]!.id };
}

/**
 * Makes a waiting job (e.g. one sitting out its retry back-off) run now. A job that is running already is left
 * alone: graphile-worker's reschedule skips locked jobs.
 */
export async function runJobNow(q: Queryable, jobKey: string): Promise<void> {
  await q.execute(sql`
    select graphile_worker.reschedule_jobs(
      array(select id from graphile_worker._private_jobs where key = ${jobKey}),
      run_at => now()
    )`);
}
