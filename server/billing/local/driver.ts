// Offline billing: subscriptions and invoices live in Postgres (./simulator.ts changes them the way Stripe
// would), checkout and the customer portal are pages of the portal itself, and every change reaches the
// same signed webhook route as Stripe's events.
import { desc, eq } from "drizzle-orm";
import { db } from "@/db";
import { localBillingInvoices, localBillingSubscriptions } from "@/db/schema";
import type { BillingDriver } from "../driver";
import { invoiceFromStripe, subscriptionFromStripe } from "../stripe-objects";
import { localBillingNow } from "./clock";
import { withEventDelivery } from "./delivery";
import { endLocalTrialNow } from "./simulator";
import { stripeInvoiceObject, stripeSubscriptionObject } from "./objects";

export const localBillingDriver: BillingDriver = {
  name: "local",

  now: () => localBillingNow(db),

  async createCheckout({ instance }) {
    return { url: `/checkout/${instance.id}` };
  },

  async retrieveSubscription(subscriptionId) {
    const row = await db.query.localBillingSubscriptions.findFirst({ where: eq(localBillingSubscriptions.id, subscriptionId) });
    if (!row) return null;
    // Expanded, as the Stripe driver asks for it.
    const invoice = row.latestInvoiceId
      ? await db.query.localBillingInvoices.findFirst({ where: eq(localBillingInvoices.id, row.latestInvoiceId) })
      : undefined;
    return subscriptionFromStripe({ ...stripeSubscriptionObject(row), ...(invoice && { latest_invoice: stripeInvoiceObject(invoice, row) }) });
  },

  async endTrialNow(subscriptionId) {
    await withEventDelivery((tx) => endLocalTrialNow(tx, subscriptionId));
  },

  async listInvoices(customerId) {
    const rows = await db
      .select({ invoice: localBillingInvoices, subscription: localBillingSubscriptions })
      .from(localBillingInvoices)
      .innerJoin(localBillingSubscriptions, eq(localBillingSubscriptions.id, localBillingInvoices.subscriptionId))
      .where(eq(localBillingInvoices.customerId, customerId))
      .orderBy(desc(localBillingInvoices.createdAt))
      .limit(24);
    return rows.map(({ invoice, subscription }) => invoiceFromStripe(stripeInvoiceObject(invoice, subscription)));
  },

  async createPortalSession() {
    return { url: "/billing/portal" };
  },
};
