// A billing timer job (the suspension at the end of a grace period) fails until graphile-worker stops trying
// it: the job stays in the queue with its attempts used up and never runs again. Billing's sweep does not read
// the queue: it sees that the grace period is over with no suspension, re-reads the subscription and suspends.
// Real worker, local billing through its signed webhook events, the sweep called as its crontab job calls it.
import { desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { instanceOperations, subscriptions } = await import("@/db/schema");
const { reassertBillingState } = await import("@/server/billing/desired-state");
const { DAY_MS } = await import("@/server/billing/local/clock");
const { advanceLocalBillingClock, localSubscriptionId, setLocalCardDeclines } = await import("@/server/billing/local/simulator");
const { pendingBillingJobs, suspensionJobKey } = await import("@/server/billing/timers");
const { env } = await import("@/server/env");
const { atStripe, deliver } = await import("../helpers/billing");
const { runningInstance, waitForStatus } = await import("../helpers/instances");
const { eventually } = await import("../helpers/waiting");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile();

describe("a billing timer job that used up its attempts", () => {
  it("does not stop the suspension: the sweep sees the grace period is over and suspends the instance", async () => {
    const { instance } = await runningInstance("Exhausted Academy");
    await deliver(await atStripe((tx) => setLocalCardDeclines(tx, localSubscriptionId(instance.id), true)));
    await deliver(await atStripe(async (tx) => (await advanceLocalBillingClock(tx, 31 * DAY_MS)).events));
    await eventually(
      async () => ((await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) }))?.suspendAt ? true : undefined),
      60_000,
      "the grace period to start",
    );
    // The timer failed on every attempt (its last error kept): graphile-worker will not run it again.
    await db.execute(sql`
      update graphile_worker._private_jobs set attempts = max_attempts, last_error = 'database connection lost', run_at = now() + interval '1 year'
      where key = ${suspensionJobKey(instance.id)}`);
    const [exhausted] = await pendingBillingJobs(db, instance.id);
    expect(exhausted).toMatchObject({ task: "suspend_for_nonpayment", lastError: "database connection lost" });
    await atStripe(async (tx) => (await advanceLocalBillingClock(tx, (env().BILLING_GRACE_PERIOD_DAYS + 1) * DAY_MS)).events);

    const repairs = (await reassertBillingState()).filter((repair) => repair.instanceId === instance.id);
    expect(repairs).toEqual([
      {
        instanceId: instance.id,
        repair: "resync",
        outcome: expect.stringMatching(/^the grace period for the unpaid invoice is over, but no suspension started: re-read the subscription, past_due: .*suspension started/),
      },
    ]);
    const [suspension] = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instance.id)).orderBy(desc(instanceOperations.createdAt)).limit(1);
    expect(suspension).toMatchObject({ kind: "suspend", initiator: "billing" });
    await waitForStatus(instance.id, "suspended", 90_000);
  });
});
