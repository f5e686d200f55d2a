import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { db } from "@/db";
import { instanceOperations, instances, stripeEvents } from "@/db/schema";
import { uniqueSuffix } from "./helpers/accounts";
import { makeVerifiedUser, registerInstance } from "./helpers/registration";
import { checkoutCompletedEvent, signedRequest } from "./helpers/stripe";

async function awaitingPaymentInstance() {
  const owner = await makeVerifiedUser();
  return registerInstance(owner, { name: "Webhook School", subdomain: `hook-${uniqueSuffix()}` });
}

async function jobsFor(operationId: string) {
  return db.execute<{ task_identifier: string; key: string | null }>(
    sql`select task_identifier, key from graphile_worker.jobs where key = ${`operation:${operationId}`}`,
  );
}

describe("the Stripe webhook route", () => {
  it("takes a valid checkout.session.completed: instance queued and a provision job added, in one go", async () => {
    const instance = await awaitingPaymentInstance();
    const event = checkoutCompletedEvent(instance.id);
    const response = await POST(signedRequest(JSON.stringify(event)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });

    const row = await db.query.instances.findFirst({ where: eq(instances.id, instance.id) });
    expect(row?.status).toBe("queued");
    const operations = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instance.id));
    expect(operations).toHaveLength(1);
    expect(operations[0]).toMatchObject({ kind: "provision", status: "queued" });
    const jobs = await jobsFor(operations[0]!.id);
    expect(jobs.map((job) => job.task_identifier)).toEqual(["provision_instance"]);
  });

  it("rejects a tampered body with 400 and changes nothing", async () => {
    const instance = await awaitingPaymentInstance();
    const event = checkoutCompletedEvent(instance.id);
    const body = JSON.stringify(event);
    const signedForOriginal = signedRequest(body).headers.get("stripe-signature")!;
    const tampered = body.replace(instance.id, "00000000-0000-4000-8000-000000000000");
    const response = await POST(signedRequest(tampered, { header: signedForOriginal }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/Signature verification failed/);
    expect(await db.query.stripeEvents.findFirst({ where: eq(stripeEvents.id, event.id) })).toBeUndefined();
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))?.status).toBe("awaiting_payment");
  });

  it("rejects a body signed with another secret", async () => {
    const instance = await awaitingPaymentInstance();
    const response = await POST(signedRequest(JSON.stringify(checkoutCompletedEvent(instance.id)), { secret: "whsec_not_ours" }));
    expect(response.status).toBe(400);
  });

  it("rejects a stale signature (older than Stripe's 300 s tolerance)", async () => {
    const instance = await awaitingPaymentInstance();
    const event = checkoutCompletedEvent(instance.id);
    const response = await POST(signedRequest(JSON.stringify(event), { timestamp: Math.floor(Date.now() / 1000) - 301 }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/tolerance/i);
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))?.status).toBe("awaiting_payment");
  });

  it("rejects a request with no signature", async () => {
    const response = await POST(new Request("http://localhost/api/stripe/webhook", { method: "POST", body: "{}" }));
    expect(response.status).toBe(400);
  });

  it("answers a replayed event 200 and changes nothing the second time", async () => {
    const instance = await awaitingPaymentInstance();
    const body = JSON.stringify(checkoutCompletedEvent(instance.id));
    expect((await POST(signedRequest(body))).status).toBe(200);
    const replay = await POST(signedRequest(body));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ received: true, duplicate: true });
    const operations = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instance.id));
    expect(operations).toHaveLength(1);
  });

  it("records an event type it does not act on and still answers 200", async () => {
    const body = JSON.stringify({ id: `evt_unknown_${uniqueSuffix()}`, object: "event", type: "customer.created", data: { object: {} } });
    const response = await POST(signedRequest(body));
    expect(response.status).toBe(200);
  });
});
