// What each billing event does once processed. The local driver plays Stripe: its store holds the
// subscription's real state, and its events are delivered, signed, to the webhook route; these tests then
// run the processing job's function themselves (billing-lifecycle.test.ts runs it all with a real worker).
import { and, asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { auditLog, instanceOperations, instances, stripeEvents, subscriptions, type Instance, type User } from "@/db/schema";
import { DAY_MS, localBillingNow } from "@/server/billing/local/clock";
import { localEvent, stripeSubscriptionObject } from "@/server/billing/local/objects";
import {
  advanceLocalBillingClock,
  cancelLocalSubscriptionNow,
  changeLocalPlan,
  localSubscriptionId,
  lockedLocalSubscription,
  payLocalOpenInvoices,
  setLocalCardDeclines,
} from "@/server/billing/local/simulator";
import { planById } from "@/server/billing/plans";
import { processStripeEvent, syncSubscriptionOfInstance } from "@/server/billing/processing";
import { transitionInstance } from "@/server/instances/lifecycle";
import { apiAs, makeUser, uniqueSuffix } from "./helpers/accounts";
import { makeVerifiedUser, registerInstance } from "./helpers/registration";
import { atStripe, checkoutAtStripe, deliver, ofType } from "./helpers/billing";
import { queuedEmailsTo, queuedJobs } from "./helpers/jobs";
import type { LocalEvent } from "@/server/billing/local/objects";

/** Delivers the events (signed, through the route) and runs the processing job of each, in this order. */
async function deliverAndProcess(events: LocalEvent[]) {
  await deliver(events);
  for (const event of events) await processStripeEvent(event.id);
}

async function registered(plan: "starter" | "growth" = "starter") {
  const owner = await makeVerifiedUser();
  const instance = await registerInstance(owner, { name: "Billing School", subdomain: `bill-${uniqueSuffix()}`, plan });
  return { owner, instance };
}

/** Plays the worker's part in an operation that these tests only check was started. */
async function finishOperation(instanceId: string, kind: "provision" | "suspend" | "resume") {
  const [operation] = await db
    .update(instanceOperations)
    .set({ status: "succeeded", finishedAt: new Date() })
    .where(and(eq(instanceOperations.instanceId, instanceId), eq(instanceOperations.kind, kind), inArray(instanceOperations.status, ["queued", "running"])))
    .returning();
  expect(operation, `a ${kind} operation was started`).toBeDefined();
  if (kind === "provision") {
    await transitionInstance(db, instanceId, "provisioning", { message: "test" });
    await transitionInstance(db, instanceId, "running", { message: "test" });
  } else {
    await transitionInstance(db, instanceId, kind === "suspend" ? "suspended" : "running", { message: "test" });
  }
}

async function runningInstance(plan: "starter" | "growth" = "starter", withCard = true) {
  const { owner, instance } = await registered(plan);
  await deliverAndProcess(await checkoutAtStripe(instance, owner, withCard));
  await finishOperation(instance.id, "provision");
  return { owner, instance };
}

async function rowOf(instanceId: string) {
  return (await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instanceId) }))!;
}

async function instanceRow(instanceId: string) {
  return (await db.query.instances.findFirst({ where: eq(instances.id, instanceId) }))!;
}

async function operationsOf(instanceId: string) {
  return db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)).orderBy(instanceOperations.createdAt);
}

const suspensionTimer = (instanceId: string) => queuedJobs({ key: `billing:suspend:${instanceId}` });
const deprovisionTimer = (instanceId: string) => queuedJobs({ key: `billing:deprovision:${instanceId}` });

/** The renewal a month later fails: staff made the card decline, then the billing clock passed the period end. */
async function failRenewal(instance: Pick<Instance, "id">) {
  await atStripe((tx) => setLocalCardDeclines(tx, localSubscriptionId(instance.id), true));
  return advance(31, instance.id);
}

/** Advancing the shared clock renews every subscription in the database; keep the events about this one. */
function mentions(event: LocalEvent, instanceId: string) {
  return JSON.stringify(event.data.object).includes(localSubscriptionId(instanceId));
}

async function advance(days: number, instanceId?: string) {
  const events = await atStripe(async (tx) => (await advanceLocalBillingClock(tx, days * DAY_MS)).events);
  return instanceId ? events.filter((event) => mentions(event, instanceId)) : events;
}

const near = (actual: Date, expected: number, toleranceMs = 60_000) => Math.abs(actual.getTime() - expected) < toleranceMs;

describe("processing billing events", () => {
  it("checkout.session.completed links the customer and subscription and queues provisioning", async () => {
    const { owner, instance } = await registered();
    const events = await checkoutAtStripe(instance, owner);
    await deliverAndProcess(ofType(events, "checkout.session.completed"));

    const row = await rowOf(instance.id);
    expect(row).toMatchObject({
      stripeCustomerId: `cus_local_${owner.id.replaceAll("-", "")}`,
      stripeSubscriptionId: localSubscriptionId(instance.id),
      status: "active",
      plan: "starter",
      hasPaymentMethod: true,
    });
    expect(row.currentPeriodEnd!.getTime()).toBeGreaterThan(Date.now() + 27 * DAY_MS);
    expect((await instanceRow(instance.id)).status).toBe("queued");
    const [operation] = await operationsOf(instance.id);
    expect(operation).toMatchObject({ kind: "provision", status: "queued" });
    expect(await queuedJobs({ key: `operation:${operation!.id}` })).toMatchObject([{ task: "provision_instance" }]);
    const stored = await db.query.stripeEvents.findFirst({ where: eq(stripeEvents.id, events[2]!.id) });
    expect(stored).toMatchObject({ instanceId: instance.id, outcome: "active: provisioning queued" });
  });

  it("invoice.paid keeps the subscription active and moves its period end", async () => {
    const { instance } = await runningInstance();
    const before = (await rowOf(instance.id)).currentPeriodEnd!;
    const renewal = await advance(31, instance.id);
    expect(renewal.map((event) => event.type)).toEqual(["invoice.paid", "customer.subscription.updated"]);
    await deliverAndProcess(ofType(renewal, "invoice.paid"));
    const row = await rowOf(instance.id);
    expect(row.status).toBe("active");
    expect(row.currentPeriodEnd!.getTime()).toBeGreaterThan(before.getTime() + 27 * DAY_MS);
  });

  it("invoice.payment_failed marks it past due, emails the owner and schedules the suspension after the grace period", async () => {
    const { owner, instance } = await runningInstance();
    const failure = await failRenewal(instance);
    await deliverAndProcess(ofType(failure, "invoice.payment_failed"));

    const row = await rowOf(instance.id);
    const billingNow = await localBillingNow(db);
    expect(row.status).toBe("past_due");
    expect(near(row.pastDueSince!, billingNow.getTime())).toBe(true);
    expect(row.suspendAt!.getTime() - row.pastDueSince!.getTime()).toBe(7 * DAY_MS);
    const [timer] = await suspensionTimer(instance.id);
    expect(timer).toMatchObject({ task: "suspend_for_nonpayment", payload: { instanceId: instance.id } });
    expect(near(timer!.runAt, Date.now() + 7 * DAY_MS)).toBe(true);
    expect(await queuedEmailsTo(owner.email)).toMatchObject([{ purpose: "payment_failed", subject: expect.stringMatching(/Payment failed/) }]);
    expect((await instanceRow(instance.id)).status).toBe("running");
  });

  it("a payment within the grace period calls the suspension off, and the instance is never suspended", async () => {
    const { instance } = await runningInstance();
    await deliverAndProcess(ofType(await failRenewal(instance), "invoice.payment_failed"));
    await advance(3);
    const payment = await atStripe((tx) => payLocalOpenInvoices(tx, localSubscriptionId(instance.id), { replaceCard: true }));
    expect(payment.map((event) => event.type)).toEqual(["invoice.paid", "customer.subscription.updated"]);
    await deliverAndProcess(payment);

    expect(await rowOf(instance.id)).toMatchObject({ status: "active", pastDueSince: null, suspendAt: null, suspendedFor: null });
    expect(await suspensionTimer(instance.id)).toEqual([]);
    // Even if the timer had fired anyway, long after the old deadline: it re-reads Stripe and does nothing.
    await advance(10);
    await syncSubscriptionOfInstance(instance.id);
    expect((await instanceRow(instance.id)).status).toBe("running");
    expect((await operationsOf(instance.id)).map((operation) => operation.kind)).toEqual(["provision"]);
  });

  it("past the grace period the timer suspends the instance, and a later payment resumes it", async () => {
    const { owner, instance } = await runningInstance();
    await deliverAndProcess(ofType(await failRenewal(instance), "invoice.payment_failed"));
    await syncSubscriptionOfInstance(instance.id); // the timer firing early changes nothing
    expect((await operationsOf(instance.id)).map((operation) => operation.kind)).toEqual(["provision"]);

    await advance(8);
    await syncSubscriptionOfInstance(instance.id); // what the suspend_for_nonpayment job does
    expect(await rowOf(instance.id)).toMatchObject({ status: "past_due", suspendedFor: "non_payment" });
    expect((await operationsOf(instance.id)).at(-1)).toMatchObject({ kind: "suspend", status: "queued" });
    expect((await queuedEmailsTo(owner.email)).map((mail) => mail.purpose)).toEqual(["payment_failed", "suspended_for_nonpayment"]);
    await finishOperation(instance.id, "suspend");

    await deliverAndProcess(await atStripe((tx) => payLocalOpenInvoices(tx, localSubscriptionId(instance.id), { replaceCard: true })));
    expect(await rowOf(instance.id)).toMatchObject({ status: "active", suspendedFor: null, pastDueSince: null });
    expect((await operationsOf(instance.id)).at(-1)).toMatchObject({ kind: "resume", status: "queued" });
  });

  it("customer.subscription.updated with another price records the new plan and queues applying it", async () => {
    const { instance } = await runningInstance();
    const update = await atStripe((tx) => changeLocalPlan(tx, localSubscriptionId(instance.id), planById("growth")));
    expect(update.map((event) => event.type)).toEqual(["customer.subscription.updated"]);
    await deliverAndProcess(update);
    expect((await rowOf(instance.id)).plan).toBe("growth");
    expect((await instanceRow(instance.id)).plan).toBe("growth");
    expect(await queuedJobs({ key: `billing:plan:${instance.id}` })).toMatchObject([{ task: "apply_plan_change", payload: { instanceId: instance.id } }]);
  });

  it("customer.subscription.deleted suspends at once and schedules deprovisioning after the retention period, which staff can call off (audited)", async () => {
    const { owner, instance } = await runningInstance();
    await deliverAndProcess(await atStripe((tx) => cancelLocalSubscriptionNow(tx, localSubscriptionId(instance.id))));

    const row = await rowOf(instance.id);
    expect(row).toMatchObject({ status: "canceled", suspendedFor: "canceled" });
    expect(row.deprovisionAt!.getTime() - row.canceledAt!.getTime()).toBe(30 * DAY_MS);
    expect((await operationsOf(instance.id)).at(-1)).toMatchObject({ kind: "suspend", status: "queued" });
    const [timer] = await deprovisionTimer(instance.id);
    expect(timer).toMatchObject({ task: "deprovision_after_retention" });
    expect(near(timer!.runAt, Date.now() + 30 * DAY_MS)).toBe(true);
    expect((await queuedEmailsTo(owner.email)).map((mail) => mail.purpose)).toEqual(["subscription_ended"]);

    await expect(apiAs(owner).staffBilling.keepInstance({ instanceId: instance.id, reason: "please" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const staff = await makeUser("staff");
    await expect(apiAs(staff).staffBilling.keepInstance({ instanceId: instance.id, reason: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const kept = await apiAs(staff).staffBilling.keepInstance({ instanceId: instance.id, reason: "The school asked for more time." });
    expect(kept).toMatchObject({ outcome: "accepted" });
    expect(await deprovisionTimer(instance.id)).toEqual([]);
    expect(await rowOf(instance.id)).toMatchObject({ deprovisionKeptBy: staff.id });
    // Kept twice: refused, and the refusal is on the record too.
    await expect(apiAs(staff).staffBilling.keepInstance({ instanceId: instance.id, reason: "Once more." })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "No deprovisioning is scheduled for this instance.",
    });
    const audit = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id)).orderBy(asc(auditLog.createdAt));
    expect(audit).toMatchObject([
      {
        id: kept.auditId,
        actorId: staff.id,
        actorEmail: staff.email,
        action: "keep_instance",
        reason: "The school asked for more time.",
        outcome: "accepted",
        target: { instanceId: instance.id },
        detail: expect.stringMatching(/^Called off the deprovisioning scheduled for .+; the instance and its data are kept\.$/),
      },
      { action: "keep_instance", reason: "Once more.", outcome: "refused", detail: "No deprovisioning is scheduled for this instance." },
    ]);
    await advance(31);
    await finishOperation(instance.id, "suspend");
    await syncSubscriptionOfInstance(instance.id);
    expect((await operationsOf(instance.id)).map((operation) => operation.kind)).toEqual(["provision", "suspend"]);
  });

  it("past the retention period, deprovisioning starts", async () => {
    const { instance } = await runningInstance();
    await deliverAndProcess(await atStripe((tx) => cancelLocalSubscriptionNow(tx, localSubscriptionId(instance.id))));
    await finishOperation(instance.id, "suspend");
    await advance(29);
    await syncSubscriptionOfInstance(instance.id);
    expect((await operationsOf(instance.id)).map((operation) => operation.kind)).toEqual(["provision", "suspend"]);

    await advance(2);
    await syncSubscriptionOfInstance(instance.id); // what the deprovision_after_retention job does
    const deprovision = (await operationsOf(instance.id)).at(-1)!;
    expect(deprovision).toMatchObject({ kind: "deprovision", status: "queued" });
    expect(await queuedJobs({ key: `operation:${deprovision.id}` })).toMatchObject([{ task: "deprovision_instance" }]);
    expect((await rowOf(instance.id)).deprovisionStartedAt).toBeInstanceOf(Date);
    await syncSubscriptionOfInstance(instance.id); // and only once
    expect((await operationsOf(instance.id)).filter((operation) => operation.kind === "deprovision")).toHaveLength(1);
  });

  it("customer.subscription.trial_will_end emails the owner, and a trial that ends without a card follows the failed-payment path", async () => {
    const { owner, instance } = await runningInstance("growth", false);
    expect(await rowOf(instance.id)).toMatchObject({ status: "trialing", hasPaymentMethod: false });

    const notice = await advance(12, instance.id);
    expect(notice.map((event) => event.type)).toEqual(["customer.subscription.trial_will_end"]);
    await deliverAndProcess(notice);
    expect(await queuedEmailsTo(owner.email)).toMatchObject([
      { purpose: "trial_will_end", text: expect.stringContaining("no payment method on file") },
    ]);

    const trialEnd = await advance(3, instance.id);
    expect(trialEnd.map((event) => event.type)).toEqual(["invoice.payment_failed", "customer.subscription.updated"]);
    await deliverAndProcess(trialEnd);
    expect((await rowOf(instance.id)).status).toBe("past_due");
    expect(await suspensionTimer(instance.id)).toHaveLength(1);
    expect((await queuedEmailsTo(owner.email)).map((mail) => mail.purpose)).toEqual(["trial_will_end", "payment_failed"]);
  });

  it("takes an event delivered and processed 5 times effect once", async () => {
    const { owner, instance } = await runningInstance();
    const [failed] = ofType(await failRenewal(instance), "invoice.payment_failed");
    for (let delivery = 0; delivery < 5; delivery++) await deliverAndProcess([failed!]);
    expect(await queuedEmailsTo(owner.email)).toHaveLength(1);
    expect(await suspensionTimer(instance.id)).toHaveLength(1);
    const stored = await db.select().from(stripeEvents).where(eq(stripeEvents.id, failed!.id));
    expect(stored).toHaveLength(1);
  });

  it("applies the subscription as Stripe holds it now, not the event's snapshot", async () => {
    const { instance } = await runningInstance();
    const stale = localEvent(
      "customer.subscription.updated",
      stripeSubscriptionObject(await lockedLocalSubscription(db, localSubscriptionId(instance.id))), // "active"
      await localBillingNow(db),
    );
    await failRenewal(instance); // meanwhile, at Stripe, the renewal fails
    await deliverAndProcess([stale]);
    expect((await rowOf(instance.id)).status).toBe("past_due");
  });
});

/** The state an instance's billing ended in, without the times that differ between two runs. */
async function outcome(instance: Pick<Instance, "id">) {
  const row = await rowOf(instance.id);
  return {
    status: row.status,
    plan: row.plan,
    isPastDue: row.pastDueSince !== null,
    suspendedFor: row.suspendedFor,
    isDeprovisionScheduled: row.deprovisionAt !== null,
    instance: (await instanceRow(instance.id)).status,
    instancePlan: (await instanceRow(instance.id)).plan,
    operations: (await operationsOf(instance.id)).map((operation) => `${operation.kind}:${operation.status}`),
    timers: [...(await suspensionTimer(instance.id)), ...(await deprovisionTimer(instance.id))].map((job) => job.task),
  };
}

describe("events delivered in either order", () => {
  type Scenario = (owner: User, instance: Instance) => Promise<[LocalEvent, LocalEvent]>;

  const scenarios: [string, Scenario][] = [
    [
      "checkout.session.completed and invoice.paid",
      async (owner, instance) => {
        const events = await checkoutAtStripe(instance, owner);
        return [ofType(events, "checkout.session.completed")[0]!, ofType(events, "invoice.paid")[0]!];
      },
    ],
    [
      "invoice.payment_failed and the invoice.paid that settled it",
      async (owner, instance) => {
        await deliverAndProcess(await checkoutAtStripe(instance, owner));
        await finishOperation(instance.id, "provision");
        const [failed] = ofType(await failRenewal(instance), "invoice.payment_failed");
        const [paid] = ofType(
          await atStripe((tx) => payLocalOpenInvoices(tx, localSubscriptionId(instance.id), { replaceCard: true })),
          "invoice.paid",
        );
        return [failed!, paid!];
      },
    ],
    [
      "customer.subscription.updated (a plan change) and customer.subscription.deleted",
      async (owner, instance) => {
        await deliverAndProcess(await checkoutAtStripe(instance, owner));
        await finishOperation(instance.id, "provision");
        const [updated] = await atStripe((tx) => changeLocalPlan(tx, localSubscriptionId(instance.id), planById("growth")));
        const [deleted] = await atStripe((tx) => cancelLocalSubscriptionNow(tx, localSubscriptionId(instance.id)));
        return [updated!, deleted!];
      },
    ],
  ];

  it.each(scenarios)("%s end in the same state", async (_name, scenario) => {
    const inOrder = await registered();
    const [first, second] = await scenario(inOrder.owner, inOrder.instance);
    await deliverAndProcess([first, second]);

    const reversed = await registered();
    const [firstAgain, secondAgain] = await scenario(reversed.owner, reversed.instance);
    await deliverAndProcess([secondAgain, firstAgain]);

    expect(await outcome(reversed.instance)).toEqual(await outcome(inOrder.instance));
  });
});
