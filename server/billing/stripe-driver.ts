import type { BillingDriver } from "./driver";
import { stripeClient } from "./stripe-client";

function priceIdFor(envName: string): string {
  const priceId = process.env[envName];
  if (!priceId) throw new Error(`${envName} is not set: the Stripe price id of this plan is needed for checkout`);
  return priceId;
}

export const stripeBillingDriver: BillingDriver = {
  name: "stripe",
  async createCheckout({ instance, owner, plan, successUrl, cancelUrl }) {
    const session = await stripeClient().checkout.sessions.create(
      {
        mode: "subscription",
        line_items: [{ price: priceIdFor(plan.stripePriceEnv), quantity: 1 }],
        client_reference_id: instance.id,
        customer_email: owner.email,
        metadata: { instanceId: instance.id, plan: plan.id },
        subscription_data: { metadata: { instanceId: instance.id, plan: plan.id } },
        success_url: successUrl,
        cancel_url: cancelUrl,
      },
      // Derived from our ids: a retried request cannot open a second session for the same instance and plan.
      { idempotencyKey: `checkout:${instance.id}:${plan.id}` },
    );
    if (!session.url) throw new Error("Stripe returned a checkout session without a URL");
    return { url: session.url };
  },
};
