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
import { startStripeForDriver } from "../helpers/fake-stripe";
import { makeVerifiedUser, registerInstance } from "../helpers/registration";
import { stripeSubscriptionObject, subscriptionUpdatedEvent } from "../helpers/stripe";

const stripe = await startStripeForDriver("sk_test_lyceum_missing");

afterAll(() => stripe.close());

describe("a subscription Stripe answers 404 for", () => {
  it("fails its processing job with a clear error and suspends, cancels or schedules nothing", async () => {
    const owner = await makeVerifiedUser();
    const instance = await registerInstance(owner, { name: "Kept School", subdomain: `kept-${uniqueSuffix()}`, plan: "starter" });
    const subscriptionId = `sub_${uniqueSuffix()}`;
    stripe.subscriptions.set(subscriptionId, stripeSubscriptionObject(subscriptionId, { instanceId: instance.id }));
    const paid = subscriptionUpdatedEvent(stripe.subscriptions.get(subscriptionId)!);
    await deliver([paid]);
    await processStripeEvent(paid.id);
    // Provisioned meanwhile: the instance serves its school.
    await db.update(instances).set({ status: "running" }).where(eq(instances.id, instance.id));
    await db.update(instanceOperations).set({ status: "succeeded", finishedAt: new Date() }).where(eq(instanceOperations.instanceId, instance.id));
    const before = (await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) }))!;
    expect(before.status).toBe("active");

    // From now on Stripe does not know the subscription (the key in use is another account's).
    stripe.subscriptions.delete(subscriptionId);
    const later = subscriptionUpdatedEvent(stripeSubscriptionObject(subscriptionId, { instanceId: instance.id }));
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
