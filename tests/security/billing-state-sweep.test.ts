// The attack's aftermath, however it came about (a cancel that slipped through, a crashed worker, a lost timer job):
// an instance whose state differs from what billing holds. Each divergence is made by hand in the database, then
// billing's sweep runs (as its crontab job, or called as the job calls it), starts the repair, and a real worker
// carries it out.
import { and, desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { deployments, instanceEvents, instanceOperations, subscriptions } = await import("@/db/schema");
const { CRONTAB_LINES } = await import("@/jobs/crontab");
const { reassertBillingState } = await import("@/server/billing/desired-state");
const { DAY_MS, localBillingNow } = await import("@/server/billing/local/clock");
const { advanceLocalBillingClock, localSubscriptionId, setLocalCardDeclines } = await import("@/server/billing/local/simulator");
const { suspensionJobKey } = await import("@/server/billing/timers");
const { env } = await import("@/server/env");
const { enqueueJob } = await import("@/server/queue/enqueue");
const { atStripe, deliver } = await import("../helpers/billing");
const { instanceRow, runningInstance, waitForStatus } = await import("../helpers/instances");
const { eventually } = await import("../helpers/waiting");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile();

async function operationsOf(instanceId: string) {
  return db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)).orderBy(instanceOperations.createdAt);
}

async function latestOperation(instanceId: string) {
  const [row] = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)).orderBy(desc(instanceOperations.createdAt)).limit(1);
  return row!;
}

async function operationSucceeds(operationId: string) {
  return eventually(async () => {
    const row = (await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operationId) }))!;
    if (row.status === "failed" || row.status === "cancelled") throw new Error(`the ${row.kind} ended ${row.status}: ${row.error}`);
    return row.status === "succeeded" ? row : undefined;
  }, 90_000, "the repair to finish");
}

async function billingMessagesOf(instanceId: string) {
  const rows = await db
    .select()
    .from(instanceEvents)
    .where(and(eq(instanceEvents.instanceId, instanceId), eq(instanceEvents.step, "billing")));
  return rows.map((row) => row.message);
}

async function sweepFor(instanceId: string) {
  return (await reassertBillingState()).filter((repair) => repair.instanceId === instanceId);
}

const daysAgo = async (days: number) => new Date((await localBillingNow(db)).getTime() - days * DAY_MS);

describe("billing's sweep putting instances back in line with their subscriptions", () => {
  it("suspends again an instance billing suspended for an unpaid invoice that is running (its suspension was cancelled)", async () => {
    const { instance } = await runningInstance("Unpaid Academy");
    // What a cancelled billing suspension leaves: billing recorded the suspension, the instance kept serving.
    await db
      .update(subscriptions)
      .set({ status: "past_due", pastDueSince: await daysAgo(9), suspendAt: await daysAgo(2), suspendedFor: "non_payment" })
      .where(eq(subscriptions.instanceId, instance.id));

    expect(await sweepFor(instance.id)).toEqual([
      { instanceId: instance.id, repair: "suspend", outcome: expect.stringContaining("the instance is suspended for an unpaid invoice, but it is running: started suspend") },
    ]);
    const suspension = await latestOperation(instance.id);
    expect(suspension).toMatchObject({ kind: "suspend", initiator: "billing", reason: "Billing: unpaid after the grace period." });
    expect(await billingMessagesOf(instance.id)).toContain(
      "Billing: the instance is suspended for an unpaid invoice, but it is running; started a suspend to bring the instance in line with its subscription.",
    );
    // A second sweep while the suspension is under way leaves it alone.
    const again = await sweepFor(instance.id);
    if (again.length) expect(again).toEqual([{ instanceId: instance.id, repair: "suspend", outcome: "waits for the suspend operation under way" }]);

    await operationSucceeds(suspension.id);
    await waitForStatus(instance.id, "suspended");
    expect(await sweepFor(instance.id)).toEqual([]);
    expect((await operationsOf(instance.id)).map((row) => `${row.kind}:${row.status}`)).toEqual(["provision:succeeded", "suspend:succeeded"]);
  });

  it("applies the subscribed plan to an instance whose servers still run the previous one (its plan change was lost)", async () => {
    const { instance } = await runningInstance("Upgraded Academy");
    // Stripe's plan reached our subscription row; the job that would have applied it never ran.
    await db.update(subscriptions).set({ plan: "growth" }).where(eq(subscriptions.instanceId, instance.id));

    const [repair] = await sweepFor(instance.id);
    expect(repair).toMatchObject({
      repair: "apply_plan",
      outcome: expect.stringContaining("the subscription is on the Growth plan, but the instance runs the Starter plan: started reconfigure"),
    });
    const applying = await latestOperation(instance.id);
    expect(applying).toMatchObject({ kind: "reconfigure", initiator: "billing", reason: "Billing: apply the Growth plan." });
    await operationSucceeds(applying.id);

    const after = await instanceRow(instance.id);
    expect(after.plan).toBe("growth");
    const active = await db.query.deployments.findFirst({ where: eq(deployments.id, after.activeDeploymentId!) });
    expect(active?.config).toMatchObject({ plan: "growth" });
    expect(await sweepFor(instance.id)).toEqual([]);
  });

  it("deprovisions, from its crontab job, an instance whose retention period is over but that was not deprovisioned", async () => {
    expect(CRONTAB_LINES).toContainEqual(expect.stringMatching(/^\*\/5 \* \* \* \* reassert_billing_state /));
    const { instance } = await runningInstance("Ended Academy");
    // Billing started the deprovisioning when the retention period ended; that operation was then cancelled.
    await db
      .update(subscriptions)
      .set({
        status: "canceled",
        canceledAt: await daysAgo(31),
        suspendedFor: "canceled",
        deprovisionAt: await daysAgo(1),
        deprovisionStartedAt: new Date(),
      })
      .where(eq(subscriptions.instanceId, instance.id));

    await enqueueJob(db, "reassert_billing_state", {});
    const deprovision = await eventually(async () => {
      const latest = await latestOperation(instance.id);
      return latest.kind === "deprovision" ? latest : undefined;
    }, 60_000, "the sweep job to start the deprovisioning");
    expect(deprovision).toMatchObject({ initiator: "billing", reason: "Billing: the retention period after cancellation is over." });
    await waitForStatus(instance.id, "deprovisioned", 120_000);
    expect(await billingMessagesOf(instance.id)).toContainEqual(
      expect.stringContaining("the retention period after the subscription ended is over, but the instance was not deprovisioned"),
    );
    expect(await sweepFor(instance.id)).toEqual([]);
  });

  it("suspends an instance whose grace period ended while its suspension timer job was lost", async () => {
    const { instance } = await runningInstance("Forgotten Academy");
    await deliver(await atStripe((tx) => setLocalCardDeclines(tx, localSubscriptionId(instance.id), true)));
    await deliver(await atStripe(async (tx) => (await advanceLocalBillingClock(tx, 31 * DAY_MS)).events));
    await eventually(
      async () => ((await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) }))?.suspendAt ? true : undefined),
      60_000,
      "the grace period to start",
    );
    // The timer job is lost; then the grace period ends on the billing clock, with nothing to act on it.
    await db.execute(sql`select graphile_worker.remove_job(${suspensionJobKey(instance.id)})`);
    await atStripe(async (tx) => (await advanceLocalBillingClock(tx, (env().BILLING_GRACE_PERIOD_DAYS + 1) * DAY_MS)).events);

    expect(await sweepFor(instance.id)).toEqual([
      {
        instanceId: instance.id,
        repair: "resync",
        outcome: expect.stringMatching(/^the grace period for the unpaid invoice is over, but no suspension started: re-read the subscription, past_due: .*suspension started/),
      },
    ]);
    const suspension = await latestOperation(instance.id);
    expect(suspension).toMatchObject({ kind: "suspend", initiator: "billing" });
    await operationSucceeds(suspension.id);
    await waitForStatus(instance.id, "suspended");
  });
});
