// Stripe-shaped events, signed as Stripe signs them, for webhook tests.
import { randomUUID } from "node:crypto";
import { stripeSignatureHeader } from "@/server/billing/signature";

export function checkoutCompletedEvent(instanceId: string, overrides: { id?: string } = {}) {
  return {
    id: overrides.id ?? `evt_test_${randomUUID().replaceAll("-", "")}`,
    object: "event",
    type: "checkout.session.completed",
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    data: {
      object: {
        id: `cs_test_${randomUUID().replaceAll("-", "")}`,
        object: "checkout.session",
        mode: "subscription",
        client_reference_id: instanceId,
        customer: "cus_test_1",
        subscription: `sub_test_${randomUUID().slice(0, 8)}`,
        payment_status: "paid",
        metadata: { instanceId },
      },
    },
  };
}

export function signedRequest(body: string, options: { secret?: string; timestamp?: number; header?: string } = {}) {
  const header = options.header ?? stripeSignatureHeader(body, options.secret ?? process.env.STRIPE_WEBHOOK_SECRET!, options.timestamp);
  return new Request("http://localhost/api/stripe/webhook", {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": header },
    body,
  });
}

/** A subscription as Stripe's API returns it (what the double serves on GET /v1/subscriptions/:id). */
export function stripeSubscriptionObject(
  id: string,
  fields: { instanceId: string; customer?: string; status?: string; price?: string; periodEnd?: number },
) {
  return {
    id,
    object: "subscription",
    customer: fields.customer ?? "cus_school",
    status: fields.status ?? "active",
    metadata: { instanceId: fields.instanceId, plan: "starter" },
    cancel_at_period_end: false,
    canceled_at: null,
    trial_end: null,
    default_payment_method: "pm_card_visa",
    items: {
      object: "list",
      data: [
        {
          id: `si_${id}`,
          object: "subscription_item",
          quantity: 1,
          price: { id: fields.price ?? "price_starter_test", object: "price" },
          current_period_end: fields.periodEnd ?? Math.floor(Date.now() / 1000) + 30 * 86400,
        },
      ],
    },
  };
}

/** A customer.subscription.updated event carrying this snapshot of the subscription. */
export function subscriptionUpdatedEvent(subscription: Record<string, unknown>) {
  return {
    id: `evt_${randomUUID().replaceAll("-", "")}`,
    object: "event",
    type: "customer.subscription.updated",
    created: Math.floor(Date.now() / 1000),
    data: { object: subscription },
  };
}
