// Stripe answers 404 (resource_missing) when the portal re-reads a subscription it has on record: the API key
// belongs to another account, or test data was deleted. Stripe keeps cancelled subscriptions readable, so this
// is not a cancellation; treating it as one would suspend every instance and schedule its deletion after a
// single wrong key. The processing job fails with a clear error, the instance's log says nothing was done, and
// nothing is suspended or scheduled. Real webhook route, real Stripe SDK against the loopback Stripe double.
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/db";
import { instanceEvents, instanceOperations, instances, stripeEvents, subscriptions } from "@/db/schema";
import { processStripeEvent } from "@/server/billing/processing";
import { pendingBillingJobs } from "@/server/billing/timers";
import { uniqueSuffix } from "../helpers/accounts";
import { deliver } from "../helpers/billing";
import { startFakeStripe } from "../helpers/fake-stripe";
import { makeVerifiedUser, registerInstance } from "../helpers/registration";

const SECRET_KEY = "sk_test_lyceum_missing";
const stripe = await startFakeStripe(SECRET_KEY);
// Read by server/env.ts on first use, which is after this point.
Object.assign(process.env, {
  STRIPE_SECRET_KEY: SECRET_KEY,
  STRIPE_API_BASE: stripe.url,
  STRIPE_PRICE_STARTER: "price_starter_test",
  STRIPE_PRICE_GROWTH: "price_growth_test",
  STRIPE_PRICE_SCALE: "price_scale_test",
  LYCEUM_PUBLIC_URL: "https://portal.example.org",
});

afterAll(() => stripe.close());

function stripeSubscription(id: string, instanceId: string) {
  return {
    id,
    object: "subscription",
    customer: "cus_school",
    status: "active",
    metadata: { instanceId, plan: "starter" },
    cancel_at_period_end: false,
    canceled_at: null,
    trial_end: null,
    default_payment_method: "pm_card_visa",
    items: {
      object: "list",
      data: [{ id: `si_${id}`, object: "subscription_item", quantity: 1, price: { id: "price_starter_test", object: "price" }, current_period_end: Math.floor(Date.now() / 1000) + 30 * 86400 }],
    },
  };
}

function subscriptionEvent(subscription: Record<string, unknown>) {
  return {
    id: `evt_${uniqueSuffix()}`,
    object: "event",
    type: "customer.subscription.updated",
    created: Math.floor(Date.now() / 1000),
    data: { object: subscription },
  };
}

describe("a subscription Stripe answers 404 for", () => {
  it("fails its processing job with a clear error and suspends, cancels or schedules nothing", async () => {
    const owner = await makeVerifiedUser();
    const instance = await registerInstance(owner, { name: "Kept School", subdomain: `kept-${uniqueSuffix()}`, plan: "starter" });
    const subscriptionId = `sub_${uniqueSuffix()}`;
    stripe.subscriptions.set(subscriptionId, stripeSubscription(subscriptionId, instance.id));
    const paid = subscriptionEvent(stripe.subscriptions.get(subscriptionId)!);
    await deliver([paid]);
    await processStripeEvent(paid.id);
    // Provisioned meanwhile: the instance serves its school.
    await db.update(instances).set({ status: "running" }).where(eq(instances.id, instance.id));
    await db.update(instanceOperations).set({ status: "succeeded", finishedAt: new Date() }).where(eq(instanceOperations.instanceId, instance.id));
    const before = (await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) }))!;
    expect(before.status).toBe("active");

    // From now on Stripe does not know the subscription (the key in use is another account's).
    stripe.subscriptions.delete(subscriptionId);
    const later = subscriptionEvent(stripeSubscription(subscriptionId, instance.id));
    await deliver([later]);
    await expect(processStripeEvent(later.id)).rejects.toThrow(
      `the billing provider does not know subscription ${subscriptionId} of instance ${instance.id} (not found): nothing was suspended or scheduled for deletion`,
    );
    expect(stripe.requestsTo(`GET /v1/subscriptions/${subscriptionId}`).length).toBeGreaterThanOrEqual(2);

    const after = (await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) }))!;
    expect(after).toMatchObject({ status: "active", suspendAt: null, suspendedFor: null, deprovisionAt: null, canceledAt: null });
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))!.status).toBe("running");
    const operations = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instance.id));
    expect(operations.map((operation) => [operation.kind, operation.status])).toEqual([["provision", "succeeded"]]);
    expect(await pendingBillingJobs(db, instance.id)).toEqual([]);
    // Not marked processed: the job's retries (or staff, once the key is fixed) process it again.
    expect((await db.query.stripeEvents.findFirst({ where: eq(stripeEvents.id, later.id) }))!.processedAt).toBeNull();
    const logged = await db
      .select()
      .from(instanceEvents)
      .where(and(eq(instanceEvents.instanceId, instance.id), eq(instanceEvents.step, "billing"), eq(instanceEvents.level, "error")));
    expect(logged.map((event) => event.message)).toEqual([expect.stringContaining(`does not know subscription ${subscriptionId}`)]);
  });
});
