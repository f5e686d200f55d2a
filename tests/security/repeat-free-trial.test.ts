// Free trials are for new customers: an owner who had one, cancelled, and registers again, or who opens two
// checkouts side by side, must not get a second month for free. On the offline driver, through the real tRPC
// checkout, the real webhook route and the processing job (the Stripe driver: repeat-free-trial-stripe.test.ts).
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { instances, localBillingInvoices, localBillingSubscriptions, subscriptions, trials } = await import("@/db/schema");
const { processStripeEvent } = await import("@/server/billing/processing");
const { localSubscriptionId } = await import("@/server/billing/local/simulator");
const { apiAs, uniqueSuffix } = await import("../helpers/accounts");
const { makeVerifiedUser, registerInstance } = await import("../helpers/registration");
const { deliver } = await import("../helpers/billing");
const { queuedJobs } = await import("../helpers/jobs");

type User = Awaited<ReturnType<typeof makeVerifiedUser>>;

afterAll(async () => {
  await closeDb();
});

const delivered = new Set<string>();

/** Plays the worker: each event the local driver queued is delivered, signed, to the webhook route and processed. */
async function deliverQueuedEvents() {
  for (const job of await queuedJobs({ task: "deliver_local_billing_event" })) {
    const event = (job.payload as { event: { id: string } }).event;
    if (delivered.has(event.id)) continue;
    delivered.add(event.id);
    await deliver([event]);
    await processStripeEvent(event.id);
  }
}

async function growthInstance(owner: User) {
  return registerInstance(owner, { name: "Trial Academy", subdomain: `trial-${uniqueSuffix()}`, plan: "growth" });
}

const localSubscriptionOf = async (instanceId: string) =>
  (await db.query.localBillingSubscriptions.findFirst({ where: eq(localBillingSubscriptions.id, localSubscriptionId(instanceId)) }))!;

const firstInvoiceOf = async (instanceId: string) =>
  (await db.query.localBillingInvoices.findFirst({ where: eq(localBillingInvoices.subscriptionId, localSubscriptionId(instanceId)) }))!;

describe("repeat free trial", () => {
  it("an owner who had a trial, cancelled and registers again pays from the first day", async () => {
    const owner = await makeVerifiedUser();
    const first = await growthInstance(owner);
    await apiAs(owner).billing.payLocalCheckout({ id: first.id, withCard: false });
    await deliverQueuedEvents();
    expect((await localSubscriptionOf(first.id)).status).toBe("trialing");

    await apiAs(owner).localBilling.setCancelAtPeriodEnd({ instanceId: first.id, cancelAtPeriodEnd: true });
    await deliverQueuedEvents();

    const second = await growthInstance(owner);
    await apiAs(owner).billing.payLocalCheckout({ id: second.id, withCard: false });
    await deliverQueuedEvents();
    const again = await localSubscriptionOf(second.id);
    expect(again).toMatchObject({ status: "active", trialEnd: null, hasPaymentMethod: true });
    expect(await firstInvoiceOf(second.id)).toMatchObject({ amountDue: 14900, status: "paid" });
    // The trial is on record apart from the instance and its subscription.
    expect(await db.select().from(trials).where(eq(trials.userId, owner.id))).toMatchObject([{ instanceId: first.id }]);
  });

  it("an owner who opens two checkouts before either is processed keeps one trial, and the other is invoiced at once", async () => {
    const owner = await makeVerifiedUser();
    const [first, second] = [await growthInstance(owner), await growthInstance(owner)];
    await apiAs(owner).billing.payLocalCheckout({ id: first.id, withCard: false });
    await apiAs(owner).billing.payLocalCheckout({ id: second.id, withCard: false });
    expect((await localSubscriptionOf(second.id)).status).toBe("trialing"); // both checkouts offered a trial
    await deliverQueuedEvents();
    await deliverQueuedEvents(); // the events of the ended trial

    expect((await localSubscriptionOf(first.id)).status).toBe("trialing");
    const ended = await localSubscriptionOf(second.id);
    expect(ended.status).toBe("past_due"); // no card on file: the first invoice is open
    const invoices = await db.select().from(localBillingInvoices).where(eq(localBillingInvoices.subscriptionId, ended.id));
    expect(invoices.map((invoice) => [invoice.amountDue, invoice.status]).sort()).toEqual([
      [0, "paid"],
      [14900, "open"],
    ]);
    expect(await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, second.id) })).toMatchObject({ status: "past_due" });
    // Nothing is set up for the unpaid one.
    expect((await db.query.instances.findFirst({ where: eq(instances.id, second.id) }))!.status).toBe("awaiting_payment");
    expect(await db.select().from(trials).where(eq(trials.userId, owner.id))).toMatchObject([{ instanceId: first.id }]);

    // Paying brings it up like any other instance.
    await apiAs(owner).localBilling.replaceCardAndPay({ instanceId: second.id });
    await deliverQueuedEvents();
    expect((await db.query.instances.findFirst({ where: eq(instances.id, second.id) }))!.status).toBe("queued");
  });

  it("another account still gets its own trial", async () => {
    const owner = await makeVerifiedUser();
    const instance = await growthInstance(owner);
    await apiAs(owner).billing.payLocalCheckout({ id: instance.id, withCard: false });
    await deliverQueuedEvents();
    expect((await localSubscriptionOf(instance.id)).status).toBe("trialing");
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))!.status).toBe("queued");
  });
});
