// What Stripe does to subscriptions, done to the local store: checkout, renewals as the clock advances,
// trials that end, payments that fail and are retried, plan changes and cancellations. Each action runs in
// the caller's transaction and returns the events Stripe would send, in Stripe's order; the caller
// delivers them to the webhook route (./delivery.ts).
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, notInArray } from "drizzle-orm";
import type { Queryable } from "@/db";
import {
  localBillingInvoices,
  localBillingSubscriptions,
  type Instance,
  type LocalBillingInvoice,
  type LocalBillingSubscription,
  type User,
} from "@/db/schema";
import { planById, type Plan } from "../plans";
import { localPriceId } from "../prices";
import { addMonth, advanceLocalClock, DAY_MS, localBillingNow } from "./clock";
import { localEvent, stripeCheckoutSessionObject, stripeInvoiceObject, stripeSubscriptionObject, type LocalEvent } from "./objects";

/** Stripe sends `customer.subscription.trial_will_end` three days before a trial ends. */
const TRIAL_WILL_END_NOTICE_MS = 3 * DAY_MS;
const ENDED_STATUSES = ["canceled", "incomplete_expired"] as const;

const hex = (id: string) => id.replaceAll("-", "");

export function localSubscriptionId(instanceId: string) {
  return `sub_local_${hex(instanceId)}`;
}

function localCustomerId(userId: string) {
  return `cus_local_${hex(userId)}`;
}

export class LocalBillingError extends Error {}

const subscriptionEvent = (type: string, row: LocalBillingSubscription, at: Date) =>
  localEvent(`customer.subscription.${type}`, stripeSubscriptionObject(row), at);

const invoiceEvent = (invoice: LocalBillingInvoice, subscription: LocalBillingSubscription, at: Date) =>
  localEvent(invoice.status === "paid" ? "invoice.paid" : "invoice.payment_failed", stripeInvoiceObject(invoice, subscription), at);

async function saveSubscription(q: Queryable, id: string, patch: Partial<LocalBillingSubscription>) {
  const [row] = await q.update(localBillingSubscriptions).set(patch).where(eq(localBillingSubscriptions.id, id)).returning();
  return row!;
}

export async function lockedLocalSubscription(q: Queryable, subscriptionId: string) {
  const [row] = await q.select().from(localBillingSubscriptions).where(eq(localBillingSubscriptions.id, subscriptionId)).for("update");
  if (!row) throw new LocalBillingError(`No local subscription ${subscriptionId}.`);
  return row;
}

async function createInvoice(
  q: Queryable,
  subscription: LocalBillingSubscription,
  input: { reason: string; amount: number; periodStart: Date; periodEnd: Date; at: Date },
) {
  const [issued] = await q
    .select({ count: count() })
    .from(localBillingInvoices)
    .where(eq(localBillingInvoices.customerId, subscription.customerId));
  const [invoice] = await q
    .insert(localBillingInvoices)
    .values({
      id: `in_local_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
      subscriptionId: subscription.id,
      customerId: subscription.customerId,
      number: `${subscription.customerId.slice(-8).toUpperCase()}-${String((issued?.count ?? 0) + 1).padStart(4, "0")}`,
      status: "open",
      amountDue: input.amount,
      billingReason: input.reason,
      periodStart: input.periodStart,
      periodEnd: input.periodEnd,
      createdAt: input.at,
    })
    .returning();
  return invoice!;
}

/** Charges the card on file: it succeeds unless there is none, or staff made it decline. */
async function attemptPayment(q: Queryable, invoice: LocalBillingInvoice, subscription: LocalBillingSubscription, at: Date) {
  const isPaid = invoice.amountDue === 0 || (subscription.hasPaymentMethod && !subscription.cardDeclines);
  const [updated] = await q
    .update(localBillingInvoices)
    .set({
      attemptCount: invoice.attemptCount + (invoice.amountDue === 0 ? 0 : 1),
      ...(isPaid && { status: "paid" as const, amountPaid: invoice.amountDue, paidAt: at }),
    })
    .where(eq(localBillingInvoices.id, invoice.id))
    .returning();
  return updated!;
}

async function hasOpenInvoices(q: Queryable, subscriptionId: string) {
  const rows = await q
    .select({ id: localBillingInvoices.id })
    .from(localBillingInvoices)
    .where(and(eq(localBillingInvoices.subscriptionId, subscriptionId), eq(localBillingInvoices.status, "open")))
    .limit(1);
  return rows.length > 0;
}

/** Checkout completed on the offline checkout page: the subscription, its first invoice, and Stripe's events. */
export async function completeLocalCheckout(
  q: Queryable,
  input: {
    instance: Pick<Instance, "id">;
    owner: Pick<User, "id" | "email">;
    plan: Plan;
    /** The free days checkout offered (server/billing/trials.ts decides), or null. */
    trialDays: number | null;
    withCard: boolean;
  },
): Promise<LocalEvent[]> {
  const id = localSubscriptionId(input.instance.id);
  const at = await localBillingNow(q);
  const trialEnd = input.trialDays ? new Date(at.getTime() + input.trialDays * DAY_MS) : null;
  const [created] = await q
    .insert(localBillingSubscriptions)
    .values({
      id,
      customerId: localCustomerId(input.owner.id),
      priceId: localPriceId(input.plan),
      status: trialEnd ? "trialing" : "active",
      metadata: { instanceId: input.instance.id, plan: input.plan.id },
      currentPeriodStart: at,
      currentPeriodEnd: trialEnd ?? addMonth(at),
      trialEnd,
      hasPaymentMethod: trialEnd ? input.withCard : true,
      createdAt: at,
    })
    .onConflictDoNothing()
    .returning();
  if (!created) return []; // paid already: a second click creates nothing
  let subscription = created;
  const invoice = await attemptPayment(
    q,
    await createInvoice(q, subscription, {
      reason: "subscription_create",
      amount: trialEnd ? 0 : input.plan.priceMonthlyCents,
      periodStart: at,
      periodEnd: subscription.currentPeriodEnd,
      at,
    }),
    subscription,
    at,
  );
  subscription = await saveSubscription(q, id, { latestInvoiceId: invoice.id });
  return [
    subscriptionEvent("created", subscription, at),
    invoiceEvent(invoice, subscription, at),
    localEvent(
      "checkout.session.completed",
      stripeCheckoutSessionObject({
        instanceId: input.instance.id,
        subscription,
        customerEmail: input.owner.email,
        planId: input.plan.id,
        amountTotal: invoice.amountDue,
      }),
      at,
    ),
  ];
}

/** Moves the billing clock and lets every live subscription catch up: trial notices, trial ends, renewals. */
export async function advanceLocalBillingClock(q: Queryable, byMs: number): Promise<{ now: Date; events: LocalEvent[] }> {
  const now = await advanceLocalClock(q, byMs);
  const live = await q
    .select()
    .from(localBillingSubscriptions)
    .where(notInArray(localBillingSubscriptions.status, [...ENDED_STATUSES]))
    .orderBy(asc(localBillingSubscriptions.createdAt))
    .for("update");
  const events: LocalEvent[] = [];
  for (const subscription of live) events.push(...(await catchUp(q, subscription, now)));
  return { now, events };
}

async function catchUp(q: Queryable, start: LocalBillingSubscription, now: Date): Promise<LocalEvent[]> {
  const events: LocalEvent[] = [];
  let subscription = start;
  // Bounded: a clock advanced by years renews at most this many periods at once.
  for (let period = 0; period < 120; period++) {
    if (subscription.status === "trialing" && subscription.trialEnd) {
      const noticeAt = new Date(subscription.trialEnd.getTime() - TRIAL_WILL_END_NOTICE_MS);
      if (!subscription.trialWillEndSentAt && noticeAt <= now) {
        subscription = await saveSubscription(q, subscription.id, { trialWillEndSentAt: noticeAt });
        events.push(subscriptionEvent("trial_will_end", subscription, noticeAt));
      }
    }
    const boundary = subscription.status === "trialing" && subscription.trialEnd ? subscription.trialEnd : subscription.currentPeriodEnd;
    if (boundary > now) break;
    if (subscription.cancelAtPeriodEnd) {
      subscription = await saveSubscription(q, subscription.id, { status: "canceled", canceledAt: boundary, endedAt: boundary });
      events.push(subscriptionEvent("deleted", subscription, boundary));
      break;
    }
    const periodEnd = addMonth(boundary);
    const invoice = await attemptPayment(
      q,
      await createInvoice(q, subscription, {
        reason: "subscription_cycle",
        amount: priceOf(subscription),
        periodStart: boundary,
        periodEnd,
        at: boundary,
      }),
      subscription,
      boundary,
    );
    const isSettled = invoice.status === "paid" && !(await hasOpenInvoices(q, subscription.id));
    subscription = await saveSubscription(q, subscription.id, {
      status: isSettled ? "active" : "past_due",
      currentPeriodStart: boundary,
      currentPeriodEnd: periodEnd,
      latestInvoiceId: invoice.id,
    });
    events.push(invoiceEvent(invoice, subscription, boundary), subscriptionEvent("updated", subscription, boundary));
  }
  return events;
}

function priceOf(subscription: LocalBillingSubscription): number {
  return planById(subscription.priceId.replace(/^price_local_/, "")).priceMonthlyCents;
}

/** Stripe's `trial_end: "now"`: the trial ends at once, and the first period is invoiced and charged now. */
export async function endLocalTrialNow(q: Queryable, subscriptionId: string): Promise<LocalEvent[]> {
  const subscription = await lockedLocalSubscription(q, subscriptionId);
  if (subscription.status !== "trialing") return [];
  const at = await localBillingNow(q);
  // No "trial will end" notice for a trial that ends now.
  const ended = await saveSubscription(q, subscriptionId, { trialEnd: at, currentPeriodEnd: at, trialWillEndSentAt: subscription.trialWillEndSentAt ?? at });
  // The renewal at the trial's end, as the clock would run it: invoice, payment attempt, active or past due.
  return catchUp(q, ended, at);
}

/** The owner replaced the card (or staff retried): every open invoice is charged again, oldest first. */
export async function payLocalOpenInvoices(
  q: Queryable,
  subscriptionId: string,
  options: { replaceCard: boolean },
): Promise<LocalEvent[]> {
  let subscription = await lockedLocalSubscription(q, subscriptionId);
  if ((ENDED_STATUSES as readonly string[]).includes(subscription.status)) {
    throw new LocalBillingError("This subscription has ended; there is nothing left to pay.");
  }
  if (options.replaceCard) subscription = await saveSubscription(q, subscriptionId, { hasPaymentMethod: true, cardDeclines: false });
  const open = await q
    .select()
    .from(localBillingInvoices)
    .where(and(eq(localBillingInvoices.subscriptionId, subscriptionId), eq(localBillingInvoices.status, "open")))
    .orderBy(asc(localBillingInvoices.createdAt));
  const at = await localBillingNow(q);
  const events: LocalEvent[] = [];
  for (const invoice of open) events.push(invoiceEvent(await attemptPayment(q, invoice, subscription, at), subscription, at));
  const isSettled = !(await hasOpenInvoices(q, subscriptionId));
  if (isSettled && ["past_due", "unpaid"].includes(subscription.status)) {
    subscription = await saveSubscription(q, subscriptionId, { status: "active" });
    events.push(subscriptionEvent("updated", subscription, at));
  }
  return events;
}

/** Staff's "make the next payment fail": the card declines until it is replaced or this is switched off. */
export async function setLocalCardDeclines(q: Queryable, subscriptionId: string, declines: boolean): Promise<LocalEvent[]> {
  await lockedLocalSubscription(q, subscriptionId);
  await saveSubscription(q, subscriptionId, { cardDeclines: declines });
  return [];
}

/** Cancels at once (Stripe: DELETE /v1/subscriptions/:id): open invoices are voided. */
export async function cancelLocalSubscriptionNow(q: Queryable, subscriptionId: string): Promise<LocalEvent[]> {
  const subscription = await lockedLocalSubscription(q, subscriptionId);
  if ((ENDED_STATUSES as readonly string[]).includes(subscription.status)) return [];
  const at = await localBillingNow(q);
  await q
    .update(localBillingInvoices)
    .set({ status: "void" })
    .where(and(eq(localBillingInvoices.subscriptionId, subscriptionId), eq(localBillingInvoices.status, "open")));
  const canceled = await saveSubscription(q, subscriptionId, { status: "canceled", canceledAt: at, endedAt: at, cancelAtPeriodEnd: false });
  return [subscriptionEvent("deleted", canceled, at)];
}

export async function setLocalCancelAtPeriodEnd(q: Queryable, subscriptionId: string, cancelAtPeriodEnd: boolean): Promise<LocalEvent[]> {
  const subscription = await lockedLocalSubscription(q, subscriptionId);
  if ((ENDED_STATUSES as readonly string[]).includes(subscription.status)) throw new LocalBillingError("This subscription has ended.");
  if (subscription.cancelAtPeriodEnd === cancelAtPeriodEnd) return [];
  const at = await localBillingNow(q);
  const updated = await saveSubscription(q, subscriptionId, { cancelAtPeriodEnd, canceledAt: cancelAtPeriodEnd ? at : null });
  return [subscriptionEvent("updated", updated, at)];
}

/** A plan change in the Customer Portal: the subscription's price changes (Stripe prorates; not modelled). */
export async function changeLocalPlan(q: Queryable, subscriptionId: string, plan: Plan): Promise<LocalEvent[]> {
  const subscription = await lockedLocalSubscription(q, subscriptionId);
  if ((ENDED_STATUSES as readonly string[]).includes(subscription.status)) throw new LocalBillingError("This subscription has ended.");
  if (subscription.priceId === localPriceId(plan)) return [];
  const at = await localBillingNow(q);
  const updated = await saveSubscription(q, subscriptionId, { priceId: localPriceId(plan) });
  return [subscriptionEvent("updated", updated, at)];
}
