// The Stripe billing driver against a loopback server that checks what Stripe would receive (paths,
// form-encoded parameters, the secret key, idempotency keys) and answers like Stripe.
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/db";
import { billingCustomers, instances, subscriptions } from "@/db/schema";
import { billingDriver } from "@/server/billing";
import { processStripeEvent } from "@/server/billing/processing";
import { pendingBillingJobs } from "@/server/billing/timers";
import { apiAs, uniqueSuffix } from "./helpers/accounts";
import { makeVerifiedUser, registerInstance } from "./helpers/registration";
import { deliver } from "./helpers/billing";
import { startStripeForDriver } from "./helpers/fake-stripe";
import { stripeSubscriptionObject, subscriptionUpdatedEvent } from "./helpers/stripe";

const SECRET_KEY = "sk_test_lyceum_contract";
const stripe = await startStripeForDriver(SECRET_KEY);

afterAll(() => stripe.close());

async function registered(plan: "starter" | "growth" = "starter") {
  const owner = await makeVerifiedUser();
  const instance = await registerInstance(owner, { name: "Stripe School", subdomain: `str-${uniqueSuffix()}`, plan });
  return { owner, instance };
}

describe("the Stripe billing driver", () => {
  it("is chosen when STRIPE_SECRET_KEY is set", () => {
    expect(billingDriver().name).toBe("stripe");
  });

  it("creates the customer once and a subscription-mode checkout carrying the instance id, with idempotency keys from our ids", async () => {
    const { owner, instance } = await registered();
    const { url } = await apiAs(owner).instances.startCheckout({ id: instance.id });
    expect(url).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_fake/);

    const [customerCall] = stripe.requestsTo("POST /v1/customers").filter((call) => call.form.get("metadata[userId]") === owner.id);
    expect(customerCall).toMatchObject({
      authorization: `Bearer ${SECRET_KEY}`,
      contentType: expect.stringContaining("application/x-www-form-urlencoded"),
      idempotencyKey: `customer:${owner.id}`,
      stripeVersion: expect.stringMatching(/^\d{4}-\d{2}-\d{2}/),
    });
    expect(customerCall!.form.get("email")).toBe(owner.email);
    const customer = await db.query.billingCustomers.findFirst({ where: eq(billingCustomers.userId, owner.id) });

    const sessionCalls = stripe.requestsTo("POST /v1/checkout/sessions").filter((call) => call.form.get("client_reference_id") === instance.id);
    expect(sessionCalls).toHaveLength(1);
    const session = sessionCalls[0]!;
    expect(session.idempotencyKey).toBe(`checkout:${instance.id}:starter`);
    expect(Object.fromEntries(session.form)).toEqual({
      mode: "subscription",
      customer: customer!.stripeCustomerId,
      "line_items[0][price]": "price_starter_test",
      "line_items[0][quantity]": "1",
      client_reference_id: instance.id,
      "metadata[instanceId]": instance.id,
      "metadata[plan]": "starter",
      "subscription_data[metadata][instanceId]": instance.id,
      "subscription_data[metadata][plan]": "starter",
      // No trial on the plan: the card is taken at checkout.
      payment_method_collection: "always",
      success_url: `https://portal.example.org/checkout/${instance.id}/success`,
      cancel_url: `https://portal.example.org/checkout/${instance.id}/cancelled`,
    });

    // Clicking Pay again reuses the customer and, through the same idempotency key, the same session.
    const again = await apiAs(owner).instances.startCheckout({ id: instance.id });
    expect(again.url).toBe(url);
    expect(stripe.requestsTo("POST /v1/customers").filter((call) => call.form.get("metadata[userId]") === owner.id)).toHaveLength(1);
  });

  it("asks for the plan's free trial, and has a trial that ends without a card invoiced anyway", async () => {
    const { owner, instance } = await registered("growth");
    await apiAs(owner).instances.startCheckout({ id: instance.id });
    const [session] = stripe.requestsTo("POST /v1/checkout/sessions").filter((call) => call.form.get("client_reference_id") === instance.id);
    expect(session!.form.get("subscription_data[trial_period_days]")).toBe("14");
    expect(session!.form.get("subscription_data[trial_settings][end_behavior][missing_payment_method]")).toBe("create_invoice");
    expect(session!.form.get("payment_method_collection")).toBe("if_required");
    expect(session!.form.get("line_items[0][price]")).toBe("price_growth_test");
  });

  it("retries a create that met a 500 with the same Idempotency-Key, so Stripe makes one customer", async () => {
    const { owner, instance } = await registered();
    stripe.failNext("POST /v1/customers", 500);
    await apiAs(owner).instances.startCheckout({ id: instance.id });
    const calls = stripe.requestsTo("POST /v1/customers").filter((call) => call.form.get("metadata[userId]") === owner.id);
    expect(calls.map((call) => call.idempotencyKey)).toEqual([`customer:${owner.id}`, `customer:${owner.id}`]);

    // A job that crashed after Stripe created the customer but before we stored it: the retry gets the same one.
    const stored = await db.query.billingCustomers.findFirst({ where: eq(billingCustomers.userId, owner.id) });
    await db.delete(billingCustomers).where(eq(billingCustomers.userId, owner.id));
    await apiAs(owner).instances.startCheckout({ id: instance.id });
    const again = await db.query.billingCustomers.findFirst({ where: eq(billingCustomers.userId, owner.id) });
    expect(again?.stripeCustomerId).toBe(stored!.stripeCustomerId);
    expect([...stripe.customers.values()].filter((customer) => (customer.metadata as { userId: string }).userId === owner.id)).toHaveLength(1);
  });

  it("reads a subscription's status, plan (from its price) and period end, and knows a missing one", async () => {
    const periodEnd = Math.floor(Date.now() / 1000) + 30 * 86400;
    const instanceId = crypto.randomUUID();
    stripe.subscriptions.set(
      "sub_read",
      stripeSubscriptionObject("sub_read", { customer: "cus_x", status: "past_due", instanceId, price: "price_growth_test", periodEnd }),
    );
    expect(await billingDriver().retrieveSubscription("sub_read")).toEqual({
      id: "sub_read",
      customerId: "cus_x",
      status: "past_due",
      instanceId,
      planId: "growth",
      currentPeriodEnd: new Date(periodEnd * 1000),
      trialEnd: null,
      cancelAtPeriodEnd: false,
      canceledAt: null,
      hasPaymentMethod: true,
      // The card is asked for expanded; this one is unknown to Stripe, so only its id came back.
      cardFingerprint: null,
      unpaidSince: null,
    });
    expect(stripe.requestsTo("GET /v1/subscriptions/sub_read").at(-1)?.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(await billingDriver().retrieveSubscription("sub_gone")).toBeNull();
  });

  it("reads since when a past-due subscription's invoice is unpaid from its latest invoice, asked for expanded", async () => {
    const finalizedAt = Math.floor(Date.now() / 1000) - 3 * 86400;
    stripe.invoices.push({ id: "in_unpaid", object: "invoice", status: "open", created: finalizedAt - 3600, status_transitions: { finalized_at: finalizedAt } });
    stripe.subscriptions.set("sub_unpaid", {
      ...stripeSubscriptionObject("sub_unpaid", { status: "past_due", instanceId: crypto.randomUUID() }),
      latest_invoice: "in_unpaid",
    });
    expect((await billingDriver().retrieveSubscription("sub_unpaid"))?.unpaidSince).toEqual(new Date(finalizedAt * 1000));
    stripe.invoices.find((invoice) => invoice.id === "in_unpaid")!.status = "paid";
    expect((await billingDriver().retrieveSubscription("sub_unpaid"))?.unpaidSince).toBeNull();
  });

  it("starts a failed payment's grace period at the failed charge, however late the portal processes the event", async () => {
    const { instance } = await registered();
    const subscriptionId = `sub_${uniqueSuffix()}`;
    stripe.subscriptions.set(subscriptionId, stripeSubscriptionObject(subscriptionId, { instanceId: instance.id }));
    const paid = subscriptionUpdatedEvent(stripe.subscriptions.get(subscriptionId)!);
    await deliver([paid]);
    await processStripeEvent(paid.id);
    await db.update(instances).set({ status: "running" }).where(eq(instances.id, instance.id));

    // Stripe charged the renewal two days ago and the card was declined; the portal hears of it only now.
    const failedAt = Math.floor(Date.now() / 1000) - 2 * 86400;
    const invoiceId = `in_${uniqueSuffix()}`;
    stripe.invoices.push({ id: invoiceId, object: "invoice", status: "open", created: failedAt - 3600, status_transitions: { finalized_at: failedAt } });
    Object.assign(stripe.subscriptions.get(subscriptionId)!, { status: "past_due", latest_invoice: invoiceId });
    const failed = subscriptionUpdatedEvent(stripe.subscriptions.get(subscriptionId)!);
    await deliver([failed]);
    await processStripeEvent(failed.id);

    const suspendAt = new Date((failedAt + 7 * 86400) * 1000);
    expect(await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) })).toMatchObject({
      status: "past_due",
      pastDueSince: new Date(failedAt * 1000),
      suspendAt,
    });
    const timers = await pendingBillingJobs(db, instance.id);
    expect(timers.map((timer) => timer.task)).toEqual(["suspend_for_nonpayment"]);
    expect(Math.abs(timers[0]!.runAt.getTime() - suspendAt.getTime())).toBeLessThan(5_000);
  });

  it("processes an event by re-reading the subscription from Stripe, not from the payload", async () => {
    const { owner, instance } = await registered();
    const subscriptionId = `sub_${uniqueSuffix()}`;
    const periodEnd = Math.floor(Date.now() / 1000) + 30 * 86400;
    stripe.subscriptions.set(
      subscriptionId,
      stripeSubscriptionObject(subscriptionId, { customer: "cus_paid", status: "active", instanceId: instance.id, price: "price_starter_test", periodEnd }),
    );
    // A stale snapshot: Stripe has since taken the payment.
    const event = subscriptionUpdatedEvent({ ...stripe.subscriptions.get(subscriptionId), status: "incomplete" });
    await deliver([event]);
    await processStripeEvent(event.id);

    expect(stripe.requestsTo(`GET /v1/subscriptions/${subscriptionId}`)).toHaveLength(1);
    expect(await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) })).toMatchObject({
      status: "active",
      stripeCustomerId: "cus_paid",
      stripeSubscriptionId: subscriptionId,
      currentPeriodEnd: new Date(periodEnd * 1000),
    });
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))?.status).toBe("queued");

    stripe.invoices.push({
      id: "in_paid_1",
      object: "invoice",
      customer: "cus_paid",
      number: "LYC-0001",
      status: "paid",
      amount_due: 4900,
      amount_paid: 4900,
      currency: "usd",
      created: Math.floor(Date.now() / 1000),
      hosted_invoice_url: "https://invoice.stripe.com/i/in_paid_1",
      parent: { type: "subscription_details", subscription_details: { subscription: subscriptionId } },
    });
    const account = await apiAs(owner).billing.account();
    expect(account.subscriptions).toMatchObject([{ instance: { id: instance.id }, plan: { id: "starter" }, nextInvoiceAt: new Date(periodEnd * 1000) }]);
    expect(account.invoices).toMatchObject([
      { id: "in_paid_1", number: "LYC-0001", status: "paid", amountPaidCents: 4900, url: "https://invoice.stripe.com/i/in_paid_1", instanceName: "Stripe School" },
    ]);

    const portal = await apiAs(owner).billing.openPortal();
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\/p\/session\/bps_fake/);
    const [portalCall] = stripe.requestsTo("POST /v1/billing_portal/sessions").slice(-1);
    expect(Object.fromEntries(portalCall!.form)).toEqual({ customer: "cus_paid", return_url: "https://portal.example.org/billing" });
    expect(portalCall!.idempotencyKey).toMatch(/^portal:cus_paid:\d+$/);
  });
});
