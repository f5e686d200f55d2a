// Billing through Stripe: Checkout in subscription mode, the Customer Portal, and re-reading subscriptions.
// Every create carries an Idempotency-Key derived from our own ids, so a retried request or job cannot
// create a second customer or session.
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import { db } from "@/db";
import { billingCustomers, type User } from "@/db/schema";
import type { BillingDriver } from "./driver";
import { stripePriceId } from "./prices";
import { invoiceFromStripe, subscriptionFromStripe } from "./stripe-objects";

/** Portal sessions are short-lived; clicks within the same minute reuse one. */
const PORTAL_KEY_WINDOW_MS = 60_000;

export function createStripeBillingDriver(stripe: () => Promise<Stripe>): BillingDriver & { ensureCustomer(owner: Pick<User, "id" | "email">): Promise<string> } {
  async function ensureCustomer(owner: Pick<User, "id" | "email">): Promise<string> {
    const known = await db.query.billingCustomers.findFirst({ where: eq(billingCustomers.userId, owner.id) });
    if (known) return known.stripeCustomerId;
    const customer = await (await stripe()).customers.create(
      { email: owner.email, metadata: { userId: owner.id } },
      { idempotencyKey: `customer:${owner.id}` },
    );
    await db.insert(billingCustomers).values({ userId: owner.id, stripeCustomerId: customer.id }).onConflictDoNothing();
    const stored = await db.query.billingCustomers.findFirst({ where: eq(billingCustomers.userId, owner.id) });
    return stored!.stripeCustomerId;
  }

  return {
    name: "stripe",
    ensureCustomer,

    async now() {
      return new Date();
    },

    async createCheckout({ instance, owner, plan, trialDays, successUrl, cancelUrl }) {
      const customer = await ensureCustomer(owner);
      const metadata = { instanceId: instance.id, plan: plan.id };
      const session = await (await stripe()).checkout.sessions.create(
        {
          mode: "subscription",
          customer,
          line_items: [{ price: stripePriceId(plan), quantity: 1 }],
          client_reference_id: instance.id,
          metadata,
          subscription_data: {
            metadata,
            ...(trialDays && {
              trial_period_days: trialDays,
              // A trial that ends without a card invoices anyway: the payment fails and the grace period runs.
              trial_settings: { end_behavior: { missing_payment_method: "create_invoice" } },
            }),
          },
          // Without a trial (none on the plan, or the account had its trial) the card is taken now.
          payment_method_collection: trialDays ? "if_required" : "always",
          success_url: successUrl,
          cancel_url: cancelUrl,
        },
        // The offer is part of the key: an account whose trial was used meanwhile gets a new session, not an idempotency_error.
        { idempotencyKey: `checkout:${instance.id}:${plan.id}${trialDays ? ":trial" : ""}` },
      );
      if (!session.url) throw new Error("Stripe returned a checkout session without a URL");
      return { url: session.url };
    },

    async retrieveSubscription(subscriptionId) {
      try {
        // Expanded so that the card's fingerprint is known (one trial per card), and since when an invoice is unpaid.
        const subscription = await (await stripe()).subscriptions.retrieve(subscriptionId, { expand: ["default_payment_method", "latest_invoice"] });
        return subscriptionFromStripe(subscription);
      } catch (error) {
        const { default: StripeSdk } = await import("stripe");
        if (error instanceof StripeSdk.errors.StripeInvalidRequestError && error.code === "resource_missing") return null;
        throw new Error(`retrieve Stripe subscription ${subscriptionId}: ${(error as Error).message}`, { cause: error });
      }
    },

    async endTrialNow(subscriptionId) {
      await (await stripe()).subscriptions.update(subscriptionId, { trial_end: "now" }, { idempotencyKey: `end-trial:${subscriptionId}` });
    },

    async listInvoices(customerId) {
      const page = await (await stripe()).invoices.list({ customer: customerId, limit: 24 });
      return page.data.map(invoiceFromStripe);
    },

    async createPortalSession({ customerId, returnUrl }) {
      const window = Math.floor(Date.now() / PORTAL_KEY_WINDOW_MS);
      const session = await (await stripe()).billingPortal.sessions.create(
        { customer: customerId, return_url: returnUrl },
        { idempotencyKey: `portal:${customerId}:${window}` },
      );
      return { url: session.url };
    },
  };
}
