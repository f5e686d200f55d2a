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
