// Billing's deadlines as graphile-worker jobs at `runAt`: the suspension at the end of a grace period and
// the deprovisioning at the end of the retention period. One job per instance and deadline (jobKey), so
// scheduling twice moves the job instead of adding a second one. Deadlines are on the billing clock; when
// the local driver's clock is advanced, rescheduleBillingTimers() moves the jobs to match.
import { and, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { subscriptions } from "@/db/schema";
import { enqueueJob } from "@/server/queue/enqueue";

export const suspensionJobKey = (instanceId: string) => `billing:suspend:${instanceId}`;
export const deprovisionJobKey = (instanceId: string) => `billing:deprovision:${instanceId}`;

/** The real moment at which a billing-clock deadline falls due. */
function realTimeOf(due: Date, billingNow: Date): Date {
  return new Date(Date.now() + Math.max(0, due.getTime() - billingNow.getTime()));
}

export async function scheduleSuspension(q: Queryable, instanceId: string, suspendAt: Date, billingNow: Date) {
  await enqueueJob(q, "suspend_for_nonpayment", { instanceId }, { jobKey: suspensionJobKey(instanceId), runAt: realTimeOf(suspendAt, billingNow) });
}

export async function scheduleDeprovision(q: Queryable, instanceId: string, deprovisionAt: Date, billingNow: Date) {
  await enqueueJob(q, "deprovision_after_retention", { instanceId }, {
    jobKey: deprovisionJobKey(instanceId),
    runAt: realTimeOf(deprovisionAt, billingNow),
  });
}

/** Removes a pending timer; one that is running right now finishes and finds nothing to do. */
export async function cancelTimer(q: Queryable, jobKey: string) {
  await q.execute(sql`select graphile_worker.remove_job(${jobKey})`);
}

/** Re-aims every pending billing deadline at the billing clock's new time (the local clock moved). */
export async function rescheduleBillingTimers(q: Queryable, billingNow: Date) {
  const pending = await q
    .select()
    .from(subscriptions)
    .where(
      or(
        and(isNotNull(subscriptions.suspendAt), isNull(subscriptions.suspendedFor)),
        and(isNotNull(subscriptions.deprovisionAt), isNull(subscriptions.deprovisionKeptAt), isNull(subscriptions.deprovisionStartedAt)),
      ),
    );
  for (const row of pending) {
    if (row.suspendAt && !row.suspendedFor) await scheduleSuspension(q, row.instanceId, row.suspendAt, billingNow);
    if (row.deprovisionAt && !row.deprovisionKeptAt && !row.deprovisionStartedAt) {
      await scheduleDeprovision(q, row.instanceId, row.deprovisionAt, billingNow);
    }
  }
  return pending.length;
}

type PendingBillingJob = { task: string; key: string; runAt: Date; attempts: number; lastError: string | null };

/** The billing timers waiting for an instance, for the staff view. */
export async function pendingBillingJobs(q: Queryable, instanceId: string): Promise<PendingBillingJob[]> {
  const rows = await q.execute<{ task_identifier: string; key: string; run_at: string; attempts: number; last_error: string | null }>(sql`
    select task_identifier, key, run_at, attempts, last_error from graphile_worker.jobs
    where key in (${suspensionJobKey(instanceId)}, ${deprovisionJobKey(instanceId)})
    order by run_at`);
  return rows.map((row) => ({
    task: row.task_identifier,
    key: row.key,
    runAt: new Date(row.run_at),
    attempts: row.attempts,
    lastError: row.last_error,
  }));
}
