// The offline billing driver's staff controls change real subscriptions (and so suspend or deprovision real
// instances): a staff member who uses them must leave the same trail as for any other staff action. Each
// control is called through the real tRPC caller and the audit log is read back from Postgres.
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { auditLog, localBillingSubscriptions } = await import("@/db/schema");
const { localSubscriptionId } = await import("@/server/billing/local/simulator");
const { apiAs, makeUser, uniqueSuffix } = await import("../helpers/accounts");
const { makeVerifiedUser, registerInstance } = await import("../helpers/registration");
const { queuedJobs } = await import("../helpers/jobs");

type User = Awaited<ReturnType<typeof makeUser>>;

let staff: User;

beforeAll(async () => {
  staff = await makeUser("staff");
});

afterAll(async () => {
  await closeDb();
});

/** A paid instance on the offline driver (its events wait in the queue: no worker runs here). */
async function paidInstance() {
  const owner = await makeVerifiedUser();
  const instance = await registerInstance(owner, { name: "Audit Academy", subdomain: `audit-${uniqueSuffix()}`, plan: "starter" });
  await apiAs(owner).billing.payLocalCheckout({ id: instance.id });
  return instance;
}

async function latestAuditOf(action: string) {
  const [entry] = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.actorId, staff.id)))
    .orderBy(desc(auditLog.createdAt))
    .limit(1);
  return entry;
}

async function localSubscription(instanceId: string) {
  return (await db.query.localBillingSubscriptions.findFirst({ where: eq(localBillingSubscriptions.id, localSubscriptionId(instanceId)) }))!;
}

describe("unaudited billing simulation", () => {
  it("a staff member who makes a card decline is recorded with the reason", async () => {
    const instance = await paidInstance();
    await apiAs(staff).localBilling.setCardDeclines({ instanceId: instance.id, declines: true, reason: "trying a failed renewal" });
    expect((await localSubscription(instance.id)).cardDeclines).toBe(true);
    expect(await latestAuditOf("set_card_declines")).toMatchObject({
      instanceId: instance.id,
      reason: "trying a failed renewal",
      outcome: "accepted",
      actorEmail: staff.email,
    });
  });

  it("a staff member who advances the billing clock is recorded, with the events it sent", async () => {
    await paidInstance();
    const before = (await queuedJobs()).filter((job) => job.task === "deliver_local_billing_event").length;
    await apiAs(staff).localBilling.advanceClock({ days: 31, reason: "renewal day for the demo" });
    const entry = await latestAuditOf("advance_billing_clock");
    expect(entry).toMatchObject({ reason: "renewal day for the demo", outcome: "accepted", target: { days: 31 } });
    expect(entry!.detail).toContain("invoice.");
    expect((await queuedJobs()).filter((job) => job.task === "deliver_local_billing_event").length).toBeGreaterThan(before);
  });

  it("a staff member who retries a payment is recorded", async () => {
    const instance = await paidInstance();
    await apiAs(staff).localBilling.retryPayment({ instanceId: instance.id, reason: "card fixed on the phone" });
    expect(await latestAuditOf("retry_payment")).toMatchObject({ instanceId: instance.id, reason: "card fixed on the phone", outcome: "accepted" });
  });

  it("a staff member who cancels a subscription at once is recorded, and a retry on it afterwards is refused and recorded", async () => {
    const instance = await paidInstance();
    await apiAs(staff).localBilling.cancelNow({ instanceId: instance.id, reason: "customer asked by phone" });
    expect((await localSubscription(instance.id)).status).toBe("canceled");
    expect(await latestAuditOf("cancel_subscription_now")).toMatchObject({ instanceId: instance.id, outcome: "accepted" });

    await expect(apiAs(staff).localBilling.retryPayment({ instanceId: instance.id, reason: "one more try" })).rejects.toThrow(/ended/);
    expect(await latestAuditOf("retry_payment")).toMatchObject({ instanceId: instance.id, reason: "one more try", outcome: "refused" });
  });

  it("a control aimed at an instance without a subscription is refused and recorded", async () => {
    const instanceId = randomUUID();
    await expect(apiAs(staff).localBilling.setCardDeclines({ instanceId, declines: true, reason: "poking around" })).rejects.toThrow(
      /No local subscription/,
    );
    const entry = await latestAuditOf("set_card_declines");
    expect(entry).toMatchObject({ outcome: "refused", reason: "poking around", target: { instanceId } });
    await expect(apiAs(staff).localBilling.cancelNow({ instanceId, reason: "poking around" })).rejects.toThrow(/No local subscription/);
    expect(await latestAuditOf("cancel_subscription_now")).toMatchObject({ outcome: "refused", target: { instanceId } });
  });

  it("a control without a reason does nothing", async () => {
    const instance = await paidInstance();
    // What a hand-made request without the reason would send.
    await expect(apiAs(staff).localBilling.setCardDeclines({ instanceId: instance.id, declines: true })).rejects.toThrow(/reason/i);
    expect((await localSubscription(instance.id)).cardDeclines).toBe(false);
  });

  it("a client cannot use the controls at all", async () => {
    const instance = await paidInstance();
    const client = await makeVerifiedUser();
    await expect(apiAs(client).localBilling.cancelNow({ instanceId: instance.id, reason: "let me in" })).rejects.toThrow(/staff only/);
    expect((await localSubscription(instance.id)).status).toBe("active");
  });
});
