// Reading Stripe-shaped objects (from Stripe's API, or the local driver, which produces the same shapes).
import { subscriptionStatus, type SubscriptionStatus } from "@/db/schema";
import type { BillingInvoice, BillingSubscription } from "./driver";
import { planOfPrice } from "./prices";

type IdOrObject = string | { id: string };
/** A payment method as an id, or expanded (Stripe.PaymentMethod satisfies it). */
type PaymentMethodRef = string | { id: string; card?: { fingerprint?: string | null } | null };

/** The fields of Stripe's subscription object that billing reads (Stripe.Subscription satisfies it). */
export type StripeSubscriptionShape = {
  id: string;
  status: string;
  customer: IdOrObject;
  metadata: Record<string, string> | null;
  // Since API version 2025-03-31 the billing period lives on the subscription items.
  items: { data: { price: { id: string }; current_period_end: number }[] };
  trial_end: number | null;
  cancel_at_period_end: boolean;
  canceled_at: number | null;
  default_payment_method: PaymentMethodRef | null;
  /** Expanded by the Stripe driver (an id otherwise), so that the moment it was first charged is known. */
  latest_invoice?: string | { status: string | null; created: number; status_transitions?: { finalized_at?: number | null } | null } | null;
};

export type StripeInvoiceShape = {
  id?: string;
  number: string | null;
  status: string | null;
  amount_due: number;
  amount_paid: number;
  currency: string;
  created: number;
  hosted_invoice_url?: string | null;
  parent?: { subscription_details?: { subscription: IdOrObject } | null } | null;
};

const idOf = (value: IdOrObject | null | undefined): string | null =>
  value == null ? null : typeof value === "string" ? value : value.id;

const fromUnix = (seconds: number | null | undefined): Date | null => (seconds == null ? null : new Date(seconds * 1000));

export function toSubscriptionStatus(status: string): SubscriptionStatus {
  const known = (subscriptionStatus.enumValues as readonly string[]).includes(status);
  if (!known) throw new Error(`Unknown Stripe subscription status "${status}"`);
  return status as SubscriptionStatus;
}

export function subscriptionFromStripe(subscription: StripeSubscriptionShape): BillingSubscription {
  const item = subscription.items.data[0];
  return {
    id: subscription.id,
    customerId: idOf(subscription.customer)!,
    status: toSubscriptionStatus(subscription.status),
    instanceId: subscription.metadata?.instanceId ?? null,
    planId: item ? planOfPrice(item.price.id) : null,
    currentPeriodEnd: fromUnix(item?.current_period_end),
    trialEnd: fromUnix(subscription.trial_end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    canceledAt: fromUnix(subscription.canceled_at),
    hasPaymentMethod: subscription.default_payment_method != null,
    unpaidSince: unpaidSinceOf(subscription.latest_invoice),
    // Only an expanded payment method says which card it is (the Stripe driver asks for the expansion).
    cardFingerprint:
      typeof subscription.default_payment_method === "object" ? (subscription.default_payment_method?.card?.fingerprint ?? null) : null,
  };
}

function unpaidSinceOf(invoice: StripeSubscriptionShape["latest_invoice"]): Date | null {
  if (!invoice || typeof invoice === "string" || invoice.status !== "open") return null;
  return fromUnix(invoice.status_transitions?.finalized_at ?? invoice.created);
}

export function invoiceFromStripe(invoice: StripeInvoiceShape): BillingInvoice {
  return {
    id: invoice.id ?? "",
    number: invoice.number,
    status: invoice.status ?? "draft",
    amountDueCents: invoice.amount_due,
    amountPaidCents: invoice.amount_paid,
    currency: invoice.currency,
    createdAt: new Date(invoice.created * 1000),
    url: invoice.hosted_invoice_url ?? null,
    subscriptionId: idOf(invoice.parent?.subscription_details?.subscription),
  };
}

/** The event types the portal acts on; every other type is recorded, logged and answered 200. */
export const HANDLED_EVENT_TYPES = new Set([
  "checkout.session.completed",
  "invoice.paid",
  "invoice.payment_failed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "customer.subscription.trial_will_end",
]);

/**
 * Which subscription (and, when the event says, which instance) an event is about. Only identities are
 * read from the payload: the subscription's state is always re-read from the billing driver.
 */
export function eventSubject(event: { type: string; data: { object: unknown } }): {
  subscriptionId: string | null;
  instanceId: string | null;
} {
  const object = (event.data.object ?? {}) as Record<string, unknown>;
  const metadata = (object.metadata ?? {}) as Record<string, string | undefined>;
  if (event.type.startsWith("checkout.session.")) {
    if (object.mode !== "subscription") return { subscriptionId: null, instanceId: null };
    return {
      subscriptionId: idOf(object.subscription as IdOrObject | null),
      instanceId: (object.client_reference_id as string | null) ?? metadata.instanceId ?? null,
    };
  }
  if (event.type.startsWith("invoice.")) {
    const parent = object.parent as StripeInvoiceShape["parent"];
    // Before API version 2025-03-31 the invoice carried `subscription` itself.
    const subscriptionId = idOf(parent?.subscription_details?.subscription) ?? idOf(object.subscription as IdOrObject | null);
    return { subscriptionId, instanceId: null };
  }
  if (event.type.startsWith("customer.subscription.")) {
    return { subscriptionId: (object.id as string) ?? null, instanceId: metadata.instanceId ?? null };
  }
  return { subscriptionId: null, instanceId: null };
}
