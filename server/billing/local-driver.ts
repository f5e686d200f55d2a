// Offline billing: a checkout page inside the portal whose Pay button delivers a Stripe-signed
// `checkout.session.completed` event to the same webhook route Stripe would call.
import { randomUUID } from "node:crypto";
import type { Instance, User } from "@/db/schema";
import { env } from "@/server/env";
import type { BillingDriver } from "./driver";
import type { Plan } from "./plans";
import { stripeSignatureHeader } from "./signature";

export const localBillingDriver: BillingDriver = {
  name: "local",
  async createCheckout({ instance }) {
    return { url: `/checkout/${instance.id}` };
  },
};

export function localCheckoutCompletedEvent(
  instance: Pick<Instance, "id">,
  owner: Pick<User, "id" | "email">,
  plan: Plan,
) {
  const created = Math.floor(Date.now() / 1000);
  return {
    id: `evt_local_${randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: "2026-01-28.clover",
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: "checkout.session.completed",
    data: {
      object: {
        id: `cs_local_${instance.id.replaceAll("-", "")}`,
        object: "checkout.session",
        mode: "subscription",
        status: "complete",
        payment_status: "paid",
        client_reference_id: instance.id,
        customer: `cus_local_${owner.id.replaceAll("-", "")}`,
        customer_email: owner.email,
        subscription: `sub_local_${instance.id.replaceAll("-", "")}`,
        amount_total: plan.priceMonthlyCents,
        currency: "usd",
        metadata: { instanceId: instance.id, plan: plan.id },
        created,
      },
    },
  };
}

/** Posts a signed event to the portal's webhook route over HTTP, as Stripe would. */
export async function deliverSignedEvent(event: { id: string }): Promise<Response> {
  const body = JSON.stringify(event);
  const { internalUrl, STRIPE_WEBHOOK_SECRET } = env();
  return fetch(`${internalUrl}/api/stripe/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": stripeSignatureHeader(body, STRIPE_WEBHOOK_SECRET) },
    body,
  });
}
