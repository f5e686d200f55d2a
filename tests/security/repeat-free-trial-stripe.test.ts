// Free trials with Stripe: one per account, and one per card. Checkout is created through the real tRPC
// procedure against a loopback server that checks Stripe's API shape, and Stripe's side of a finished
// checkout (the subscription, its card) is set on that server before its events reach the webhook route.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeStripe } from "../helpers/fake-stripe";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();
const SECRET_KEY = "sk_test_lyceum_trials";
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

const { db, closeDb } = await import("@/db");
const { instances, subscriptions, trials } = await import("@/db/schema");
const { processStripeEvent } = await import("@/server/billing/processing");
const { apiAs, uniqueSuffix } = await import("../helpers/accounts");
const { makeVerifiedUser, registerInstance } = await import("../helpers/registration");
const { deliver } = await import("../helpers/billing");

type User = Awaited<ReturnType<typeof makeVerifiedUser>>;

afterAll(async () => {
  await stripe.close();
  await closeDb();
});

async function growthInstance(owner: User) {
  return registerInstance(owner, { name: "Card Academy", subdomain: `card-${uniqueSuffix()}`, plan: "growth" });
}

/** What the owner's click on Pay sent to Stripe's POST /v1/checkout/sessions, as Stripe received it. */
async function checkoutSessionBody(owner: User, instanceId: string) {
  await apiAs(owner).instances.startCheckout({ id: instanceId });
  const calls = stripe.requestsTo("POST /v1/checkout/sessions").filter((call) => call.form.get("client_reference_id") === instanceId);
  return Object.fromEntries(calls.at(-1)!.form);
}

/** A card Stripe knows, with the fingerprint Stripe gives every use of the same card number. */
function card(fingerprint: string | null) {
  const id = `pm_${randomUUID().slice(0, 12)}`;
  stripe.paymentMethods.set(id, { id, object: "payment_method", type: "card", card: { brand: "visa", last4: "4242", fingerprint } });
  return id;
}

/** Stripe's side of a completed checkout: a trialing subscription (with the card, if one was given) and the event. */
async function checkoutCompletedAtStripe(instanceId: string, paymentMethod: string | null) {
  const id = `sub_${randomUUID().slice(0, 12)}`;
  const now = Math.floor(Date.now() / 1000);
  stripe.subscriptions.set(id, {
    id,
    object: "subscription",
    customer: "cus_trial",
    status: "trialing",
    metadata: { instanceId, plan: "growth" },
    cancel_at_period_end: false,
    canceled_at: null,
    trial_end: now + 14 * 86400,
    default_payment_method: paymentMethod,
    items: {
      object: "list",
      data: [{ id: `si_${id}`, object: "subscription_item", quantity: 1, price: { id: "price_growth_test", object: "price" }, current_period_end: now + 14 * 86400 }],
    },
  });
  const event = {
    id: `evt_${randomUUID().replaceAll("-", "")}`,
    object: "event",
    type: "checkout.session.completed",
    created: now,
    data: { object: { id: `cs_${uniqueSuffix()}`, object: "checkout.session", mode: "subscription", client_reference_id: instanceId, subscription: id, metadata: { instanceId } } },
  };
  await deliver([event]);
  await processStripeEvent(event.id);
  return id;
}

async function subscriptionEvent(type: string, subscriptionId: string) {
  const event = { id: `evt_${randomUUID().replaceAll("-", "")}`, object: "event", type, created: Math.floor(Date.now() / 1000), data: { object: stripe.subscriptions.get(subscriptionId) } };
  await deliver([event]);
  await processStripeEvent(event.id);
}

const trialEndingCalls = (subscriptionId: string) =>
  stripe.requestsTo(`POST /v1/subscriptions/${subscriptionId}`).filter((call) => call.form.get("trial_end") === "now");

describe("repeat free trial with Stripe", () => {
  it("an owner who had a trial, cancelled and registers again is sent to a checkout that takes the card and has no trial", async () => {
    const owner = await makeVerifiedUser();
    const first = await growthInstance(owner);
    const offered = await checkoutSessionBody(owner, first.id);
    expect(offered).toMatchObject({ "subscription_data[trial_period_days]": "14", payment_method_collection: "if_required" });
    const subscriptionId = await checkoutCompletedAtStripe(first.id, null);

    stripe.subscriptions.set(subscriptionId, { ...stripe.subscriptions.get(subscriptionId), status: "canceled", canceled_at: Math.floor(Date.now() / 1000) });
    await subscriptionEvent("customer.subscription.deleted", subscriptionId);

    const second = await growthInstance(owner);
    const body = await checkoutSessionBody(owner, second.id);
    expect(body["subscription_data[trial_period_days]"]).toBeUndefined();
    expect(body["subscription_data[trial_settings][end_behavior][missing_payment_method]"]).toBeUndefined();
    expect(body.payment_method_collection).toBe("always");
    expect(body["line_items[0][price]"]).toBe("price_growth_test");
    expect(await db.select().from(trials).where(eq(trials.userId, owner.id))).toMatchObject([{ subscriptionId, instanceId: first.id }]);
  });

  it("a trial that starts anyway on an account that had one is ended at once, and the instance waits for the payment", async () => {
    const owner = await makeVerifiedUser();
    const [first, second] = [await growthInstance(owner), await growthInstance(owner)];
    // Both sessions were opened before either trial was recorded, so Stripe offered both a trial.
    await checkoutSessionBody(owner, first.id);
    await checkoutSessionBody(owner, second.id);
    await checkoutCompletedAtStripe(first.id, null);
    const repeat = await checkoutCompletedAtStripe(second.id, null);

    expect(trialEndingCalls(repeat)).toHaveLength(1);
    expect(trialEndingCalls(repeat)[0]!.idempotencyKey).toBe(`end-trial:${repeat}`);
    expect(await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, second.id) })).toMatchObject({ status: "past_due" });
    expect((await db.query.instances.findFirst({ where: eq(instances.id, second.id) }))!.status).toBe("awaiting_payment");
    expect((await db.query.instances.findFirst({ where: eq(instances.id, first.id) }))!.status).toBe("queued");
  });

  it("a card that already had a trial on another account gets no second one: the trial ends and the card is charged", async () => {
    const fingerprint = `fp_${uniqueSuffix()}`;
    const firstOwner = await makeVerifiedUser();
    const firstInstance = await growthInstance(firstOwner);
    const firstSubscription = await checkoutCompletedAtStripe(firstInstance.id, card(fingerprint));
    expect(trialEndingCalls(firstSubscription)).toHaveLength(0);

    // A new account, so checkout offers the trial; the card is the same one (another payment method, same fingerprint).
    const secondOwner = await makeVerifiedUser();
    const secondInstance = await growthInstance(secondOwner);
    expect(await checkoutSessionBody(secondOwner, secondInstance.id)).toMatchObject({ "subscription_data[trial_period_days]": "14" });
    const secondSubscription = await checkoutCompletedAtStripe(secondInstance.id, card(fingerprint));

    expect(trialEndingCalls(secondSubscription)).toHaveLength(1);
    expect(await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, secondInstance.id) })).toMatchObject({
      status: "active",
      hasPaymentMethod: true,
    });
    // Paid with the card: the instance is set up, without the free month.
    expect((await db.query.instances.findFirst({ where: eq(instances.id, secondInstance.id) }))!.status).toBe("queued");
    expect(await db.select().from(trials).where(eq(trials.userId, secondOwner.id))).toHaveLength(0);
    expect(await db.select().from(trials).where(eq(trials.subscriptionId, firstSubscription))).toMatchObject([{ cardFingerprint: fingerprint }]);
  });

  it("a new account with a new card keeps its trial, and events that follow do not end it", async () => {
    const owner = await makeVerifiedUser();
    const instance = await growthInstance(owner);
    const subscriptionId = await checkoutCompletedAtStripe(instance.id, card(`fp_${uniqueSuffix()}`));
    await subscriptionEvent("customer.subscription.updated", subscriptionId);
    expect(trialEndingCalls(subscriptionId)).toHaveLength(0);
    expect(await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instance.id) })).toMatchObject({ status: "trialing" });
  });
});
