// The attack: an owner presses Cancel (instances.cancel, or settings.cancelChange) while billing suspends their
// instance for an unpaid invoice, deprovisions it after the retention period, or redeploys it onto a smaller plan,
// and keeps the site running for free or the larger server. A real worker runs the billing jobs and pipelines; the
// local billing driver plays Stripe and its signed events reach the real webhook route; a hanging step (fault
// injection) holds each billing operation open while the owner tries. The local compute driver is made to behave
// like OVH's (no change to a running server), so a plan change is a redeploy, as in production.
import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { faultInjections, instanceOperations, subscriptions } = await import("@/db/schema");
const {
  advanceLocalBillingClock,
  cancelLocalSubscriptionNow,
  changeLocalPlan,
  localSubscriptionId,
  setLocalCardDeclines,
} = await import("@/server/billing/local/simulator");
const { DAY_MS } = await import("@/server/billing/local/clock");
const { planById } = await import("@/server/billing/plans");
const { rescheduleBillingTimers } = await import("@/server/billing/timers");
const { env } = await import("@/server/env");
const { apiAs, makeUser } = await import("../helpers/accounts");
const { atStripe, deliver } = await import("../helpers/billing");
const { injectFault, runningInstance, waitForStatus } = await import("../helpers/instances");
const { eventually } = await import("../helpers/waiting");
const { makeComputeBootOnly } = await import("../helpers/boot-only-compute");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile({ beforeStart: makeComputeBootOnly });

/** Moves the billing clock as staff's "advance clock" does: renewals happen, deadlines fall due now. */
async function advanceBillingClock(days: number) {
  await deliver(
    await atStripe(async (tx) => {
      const { now, events } = await advanceLocalBillingClock(tx, days * DAY_MS);
      await rescheduleBillingTimers(tx, now);
      return events;
    }),
  );
}

/** The instance's operation of this kind, once a worker is inside its hanging step. */
async function hangingOperation(instanceId: string, kind: (typeof instanceOperations.$inferSelect)["kind"]) {
  return eventually(async () => {
    const [operation] = await db
      .select()
      .from(instanceOperations)
      .where(and(eq(instanceOperations.instanceId, instanceId), eq(instanceOperations.kind, kind)))
      .orderBy(desc(instanceOperations.createdAt))
      .limit(1);
    const [fault] = await db.select().from(faultInjections).where(and(eq(faultInjections.instanceId, instanceId), eq(faultInjections.operationKind, kind)));
    return operation?.status === "running" && fault?.lastHitAt ? operation : undefined;
  }, 90_000, `the ${kind} to be running (and hanging)`);
}

async function operationRow(id: string) {
  return (await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, id) }))!;
}

/** Staff stop the hanging operation through their audited action, so the next test starts clean. */
async function staffCancels(operationId: string) {
  const staff = await makeUser("staff");
  await apiAs(staff).staff.cancelOperation({ operationId, reason: "end of the test" });
  await eventually(async () => ((await operationRow(operationId)).status === "cancelled" ? true : undefined), 30_000, "the cancel");
}

describe("an owner cancelling the operations that bill them", () => {
  it("cannot cancel billing's suspension for an unpaid invoice, and is told to pay the invoice instead", async () => {
    const { owner, instance } = await runningInstance("Unpaid Academy");
    await injectFault({ instanceId: instance.id, operationKind: "suspend", step: "show_maintenance_page", action: "hang" });
    await deliver(await atStripe((tx) => setLocalCardDeclines(tx, localSubscriptionId(instance.id), true)));
    await advanceBillingClock(31); // the renewal is declined: past due, the grace period starts
    await eventually(
      async () => ((await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) }))?.pastDueSince ? true : undefined),
      60_000,
      "the subscription to be past due",
    );
    await advanceBillingClock(env().BILLING_GRACE_PERIOD_DAYS + 1);
    const suspension = await hangingOperation(instance.id, "suspend");
    expect(suspension).toMatchObject({ initiator: "billing" });

    await expect(apiAs(owner).instances.cancel({ id: instance.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message:
        "This suspension was started by billing (unpaid after the grace period), so only billing can cancel it: pay the open invoice and the site resumes.",
    });
    expect((await operationRow(suspension.id)).cancelRequestedAt).toBeNull();
    await staffCancels(suspension.id);
  });

  it("cannot cancel the deprovisioning that follows the retention period after the subscription ended", async () => {
    const { owner, instance } = await runningInstance("Ended Academy");
    await deliver(await atStripe((tx) => cancelLocalSubscriptionNow(tx, localSubscriptionId(instance.id))));
    await waitForStatus(instance.id, "suspended");
    await injectFault({ instanceId: instance.id, operationKind: "deprovision", step: "remove_certificates", action: "hang" });
    await advanceBillingClock(env().BILLING_RETENTION_DAYS + 1);
    const deprovision = await hangingOperation(instance.id, "deprovision");
    expect(deprovision).toMatchObject({ initiator: "billing" });

    await expect(apiAs(owner).instances.cancel({ id: instance.id })).rejects.toMatchObject({
      code: "FORBIDDEN",
      message:
        "This deprovisioning was started by billing (the retention period after cancellation is over), so only billing can cancel it: the subscription ended and its retention period is over; contact support at once if you still need the data.",
    });
    expect((await operationRow(deprovision.id)).cancelRequestedAt).toBeNull();
    await staffCancels(deprovision.id);
  });

  it("cannot cancel the redeploy that applies a plan change (a downgrade keeps the larger server otherwise), neither as a running operation nor as a settings change", async () => {
    const { owner, instance } = await runningInstance("Shrinking Academy");
    await injectFault({ instanceId: instance.id, operationKind: "redeploy", step: "render_config", action: "hang" });
    await deliver(await atStripe((tx) => changeLocalPlan(tx, localSubscriptionId(instance.id), planById("growth"))));
    const redeploy = await hangingOperation(instance.id, "redeploy");
    expect(redeploy).toMatchObject({ initiator: "billing", reason: "Billing: apply the Growth plan." });

    const refusal =
      "This redeploy was started by billing (apply the Growth plan), so only billing can cancel it: it applies the plan you are subscribed to; to run another plan, change the plan in billing.";
    await expect(apiAs(owner).instances.cancel({ id: instance.id })).rejects.toMatchObject({ code: "FORBIDDEN", message: refusal });
    await expect(apiAs(owner).settings.cancelChange({ id: instance.id })).rejects.toMatchObject({ code: "FORBIDDEN", message: refusal });
    expect((await operationRow(redeploy.id)).cancelRequestedAt).toBeNull();

    // Staff asking through the owner's page are sent to their audited action, which does cancel it.
    const staff = await makeUser("staff");
    await expect(apiAs(staff).instances.cancel({ id: instance.id })).rejects.toThrow(
      'so it is cancelled only with the audited "Cancel the running operation" action on the staff instance page.',
    );
    await staffCancels(redeploy.id);
  });

  it("can still cancel a redeploy the owner started", async () => {
    const { owner, instance } = await runningInstance("Own Redeploy Academy");
    await injectFault({ instanceId: instance.id, operationKind: "redeploy", step: "render_config", action: "hang" });
    const { operationId } = await apiAs(owner).instances.redeploy({ id: instance.id });
    const redeploy = await hangingOperation(instance.id, "redeploy");
    expect(redeploy).toMatchObject({ id: operationId, initiator: "owner", requestedBy: owner.id });

    await apiAs(owner).instances.cancel({ id: instance.id });
    await eventually(async () => ((await operationRow(operationId)).status === "cancelled" ? true : undefined), 30_000, "the owner's cancel");
  });
});
