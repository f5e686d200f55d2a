// The local store's rows as the objects and events Stripe would send, so that everything downstream of
// the driver (webhook route, processing, normalisers) runs the same code for both drivers.
import { randomUUID } from "node:crypto";
import type { LocalBillingInvoice, LocalBillingSubscription } from "@/db/schema";
import { planById, PLANS } from "../plans";
import { localPriceId } from "../prices";
import type { StripeInvoiceShape, StripeSubscriptionShape } from "../stripe-objects";

/** The API version the local objects are shaped after (billing periods on subscription items). */
const LOCAL_API_VERSION = "2026-01-28.clover";

const unix = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

export type LocalEvent = {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: null; idempotency_key: null };
  type: string;
  data: { object: Record<string, unknown> };
};

export function localEvent(type: string, object: Record<string, unknown>, at: Date): LocalEvent {
  return {
    id: `evt_local_${randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: LOCAL_API_VERSION,
    created: unix(at)!,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

function unitAmountOf(priceId: string): number {
  return PLANS.find((plan) => localPriceId(plan) === priceId)?.priceMonthlyCents ?? 0;
}

export function stripeSubscriptionObject(row: LocalBillingSubscription): StripeSubscriptionShape & Record<string, unknown> {
  const subscription = {
    id: row.id,
    object: "subscription",
    customer: row.customerId,
    status: row.status,
    metadata: row.metadata,
    currency: "usd",
    collection_method: "charge_automatically",
    created: unix(row.createdAt),
    start_date: unix(row.createdAt),
    trial_end: unix(row.trialEnd),
    cancel_at_period_end: row.cancelAtPeriodEnd,
    canceled_at: unix(row.canceledAt),
    ended_at: unix(row.endedAt),
    default_payment_method: row.hasPaymentMethod ? `pm_local_${row.id.slice("sub_local_".length)}` : null,
    latest_invoice: row.latestInvoiceId,
    livemode: false,
    items: {
      object: "list",
      data: [
        {
          id: `si_local_${row.id.slice("sub_local_".length)}`,
          object: "subscription_item",
          quantity: 1,
          price: {
            id: row.priceId,
            object: "price",
            currency: "usd",
            unit_amount: unitAmountOf(row.priceId),
            recurring: { interval: "month", interval_count: 1 },
          },
          current_period_start: unix(row.currentPeriodStart)!,
          current_period_end: unix(row.currentPeriodEnd)!,
        },
      ],
    },
  };
  return subscription;
}

export function stripeInvoiceObject(row: LocalBillingInvoice, subscription: LocalBillingSubscription): StripeInvoiceShape & Record<string, unknown> {
  const invoice = {
    id: row.id,
    object: "invoice",
    customer: row.customerId,
    number: row.number,
    status: row.status,
    amount_due: row.amountDue,
    amount_paid: row.amountPaid,
    amount_remaining: row.amountDue - row.amountPaid,
    currency: "usd",
    created: unix(row.createdAt)!,
    period_start: unix(row.periodStart),
    period_end: unix(row.periodEnd),
    attempt_count: row.attemptCount,
    attempted: row.attemptCount > 0,
    billing_reason: row.billingReason,
    hosted_invoice_url: null,
    // Local invoices are finalized, and charged, when they are created.
    status_transitions: { finalized_at: unix(row.createdAt), paid_at: unix(row.paidAt) },
    parent: {
      type: "subscription_details",
      subscription_details: { subscription: row.subscriptionId, metadata: subscription.metadata },
    },
    livemode: false,
  };
  return invoice;
}

export function stripeCheckoutSessionObject(input: {
  instanceId: string;
  subscription: LocalBillingSubscription;
  customerEmail: string;
  planId: string;
  amountTotal: number;
}): Record<string, unknown> {
  const plan = planById(input.planId);
  return {
    id: `cs_local_${input.instanceId.replaceAll("-", "")}`,
    object: "checkout.session",
    mode: "subscription",
    status: "complete",
    payment_status: input.amountTotal === 0 ? "no_payment_required" : "paid",
    client_reference_id: input.instanceId,
    customer: input.subscription.customerId,
    customer_email: input.customerEmail,
    subscription: input.subscription.id,
    amount_total: input.amountTotal,
    currency: "usd",
    metadata: { instanceId: input.instanceId, plan: plan.id },
    created: unix(input.subscription.createdAt),
    livemode: false,
  };
}
