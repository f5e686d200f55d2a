// Re-queue a failed job: a graphile-worker job with no attempts left runs again now, with a fresh count.
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Transaction } from "@/db";
import { instanceOperations } from "@/db/schema";
import { operationJobPayload } from "@/server/queue/payloads";
import { defineStaffAction, refuse } from "./staff-action";

type JobRow = {
  id: string;
  task: string;
  attempts: number;
  max_attempts: number;
  locked_at: string | null;
  run_at: string;
  payload: unknown;
};

export const requeueJob = defineStaffAction({
  name: "requeue_job",
  title: "Re-queue the failed job",
  input: z.object({ jobId: z.string().regex(/^\d{1,19}$/, "That is not a job id.") }),

  async locate(tx, { jobId }) {
    const job = await jobById(tx, jobId, false);
    return { instanceId: job ? await instanceOfJob(tx, job) : null, target: { jobId, task: job?.task ?? null } };
  },

  async perform({ tx, input }) {
    const job = await jobById(tx, input.jobId, true);
    if (!job) refuse("That job is no longer in the queue: it succeeded, or was removed.");
    if (job.locked_at) refuse("That job is running right now.");
    if (job.attempts < job.max_attempts) {
      refuse(`That job has not failed for good: it runs again at ${new Date(job.run_at).toISOString()} (attempt ${job.attempts + 1} of ${job.max_attempts}).`);
    }
    const operation = await operationOfJob(tx, job);
    if (operation && operation.status !== "queued" && operation.status !== "running") {
      // The runner does nothing for an ended operation, so the job would "succeed" without effect.
      refuse(`That job's ${operation.kind} operation has ended (${operation.status}): running the job again would do nothing. Start a new operation on the instance instead.`);
    }
    await tx.execute(sql`select id from graphile_worker.reschedule_jobs(array[${input.jobId}::bigint], run_at => now(), attempts => 0)`);
    return { summary: `Re-queued ${job.task} job ${job.id}, which had used ${job.attempts} of ${job.max_attempts} attempts.` };
  },
});

async function jobById(tx: Transaction, jobId: string, isLocking: boolean): Promise<JobRow | null> {
  // The public `jobs` view has no payload, and cannot be locked: read graphile-worker's table (read-only;
  // the change itself goes through its reschedule_jobs function).
  const rows = await tx.execute<JobRow>(sql`
    select jobs.id::text, tasks.identifier as task, jobs.attempts, jobs.max_attempts, jobs.locked_at, jobs.run_at, jobs.payload
    from graphile_worker._private_jobs as jobs
    join graphile_worker._private_tasks as tasks on tasks.id = jobs.task_id
    where jobs.id = ${jobId}::bigint ${isLocking ? sql`for update of jobs` : sql``}`);
  return rows[0] ?? null;
}

async function operationOfJob(tx: Transaction, job: JobRow) {
  const parsed = operationJobPayload.safeParse(job.payload);
  if (!parsed.success) return null;
  const [operation] = await tx.select().from(instanceOperations).where(eq(instanceOperations.id, parsed.data.operationId));
  return operation ?? null;
}

async function instanceOfJob(tx: Transaction, job: JobRow) {
  return (await operationOfJob(tx, job))?.instanceId ?? null;
}
