// Billing intake: the route verifies, stores the event and adds its processing job in one transaction, and
// answers at once. What the job then does is in billing-events.test.ts.
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/stripe/webhook/route";
import { db } from "@/db";
import { instances, stripeEvents } from "@/db/schema";
import { uniqueSuffix } from "./helpers/accounts";
import { queuedJobs } from "./helpers/jobs";
import { makeVerifiedUser, registerInstance } from "./helpers/registration";
import { checkoutCompletedEvent, signedRequest } from "./helpers/stripe";

async function awaitingPaymentInstance() {
  const owner = await makeVerifiedUser();
  return registerInstance(owner, { name: "Webhook School", subdomain: `hook-${uniqueSuffix()}` });
}

const processingJobsFor = (eventId: string) => queuedJobs({ key: eventId });

async function storedEvent(eventId: string) {
  return db.query.stripeEvents.findFirst({ where: eq(stripeEvents.id, eventId) });
}

async function statusOf(instanceId: string) {
  return (await db.query.instances.findFirst({ where: eq(instances.id, instanceId) }))?.status;
}

describe("the Stripe webhook route", () => {
  it("stores a valid event and adds its processing job (jobKey = event id), then answers 200 at once", async () => {
    const instance = await awaitingPaymentInstance();
    const event = checkoutCompletedEvent(instance.id);
    const response = await POST(signedRequest(JSON.stringify(event)));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true });

    const stored = await storedEvent(event.id);
    expect(stored).toMatchObject({ type: "checkout.session.completed", processedAt: null });
    expect(stored?.payload).toEqual(event);
    const jobs = await processingJobsFor(event.id);
    expect(jobs.map((job) => [job.task, job.payload])).toEqual([["process_stripe_event", { eventId: event.id }]]);
    // The route itself changes no instance: the job does, after re-reading the subscription.
    expect(await statusOf(instance.id)).toBe("awaiting_payment");
  });

  it("stores an event delivered 5 times once, with one job, and answers every delivery 200", async () => {
    const instance = await awaitingPaymentInstance();
    const body = JSON.stringify(checkoutCompletedEvent(instance.id));
    const answers = [];
    for (let delivery = 0; delivery < 5; delivery++) {
      const response = await POST(signedRequest(body));
      answers.push([response.status, await response.json()]);
    }
    expect(answers).toEqual([
      [200, { received: true }],
      ...Array.from({ length: 4 }, () => [200, { received: true, duplicate: true }]),
    ]);
    const { id } = JSON.parse(body) as { id: string };
    expect(await db.select().from(stripeEvents).where(eq(stripeEvents.id, id))).toHaveLength(1);
    expect(await processingJobsFor(id)).toHaveLength(1);
  });

  it("rejects a tampered body with 400 and stores nothing", async () => {
    const instance = await awaitingPaymentInstance();
    const event = checkoutCompletedEvent(instance.id);
    const body = JSON.stringify(event);
    const signedForOriginal = signedRequest(body).headers.get("stripe-signature")!;
    const tampered = body.replace(instance.id, "00000000-0000-4000-8000-000000000000");
    const response = await POST(signedRequest(tampered, { header: signedForOriginal }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/Signature verification failed/);
    expect(await storedEvent(event.id)).toBeUndefined();
    expect(await processingJobsFor(event.id)).toHaveLength(0);
    expect(await statusOf(instance.id)).toBe("awaiting_payment");
  });

  it("rejects a forged event (signed with another secret) with 400 and stores nothing", async () => {
    const instance = await awaitingPaymentInstance();
    const event = checkoutCompletedEvent(instance.id);
    const response = await POST(signedRequest(JSON.stringify(event), { secret: "whsec_not_ours" }));
    expect(response.status).toBe(400);
    expect(await storedEvent(event.id)).toBeUndefined();
    expect(await processingJobsFor(event.id)).toHaveLength(0);
  });

  it("rejects a stale signature (older than Stripe's 300 s tolerance) with 400 and stores nothing", async () => {
    const instance = await awaitingPaymentInstance();
    const event = checkoutCompletedEvent(instance.id);
    const response = await POST(signedRequest(JSON.stringify(event), { timestamp: Math.floor(Date.now() / 1000) - 301 }));
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/tolerance/i);
    expect(await storedEvent(event.id)).toBeUndefined();
    expect(await processingJobsFor(event.id)).toHaveLength(0);
    expect(await statusOf(instance.id)).toBe("awaiting_payment");
  });

  it("rejects a request with no signature", async () => {
    const response = await POST(new Request("http://localhost/api/stripe/webhook", { method: "POST", body: "{}" }));
    expect(response.status).toBe(400);
  });

  it("answers 200 to a type it does not act on, records it as ignored, logs it, and adds no job", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const id = `evt_unknown_${uniqueSuffix()}`;
    const body = JSON.stringify({ id, object: "event", type: "customer.created", data: { object: {} } });
    const response = await POST(signedRequest(body));
    expect(response.status).toBe(200);
    expect(await storedEvent(id)).toMatchObject({ type: "customer.created", outcome: expect.stringMatching(/^ignored/) });
    expect((await storedEvent(id))?.processedAt).toBeInstanceOf(Date);
    expect(await processingJobsFor(id)).toHaveLength(0);
    expect(log.mock.calls.some(([line]) => String(line).includes(`${id} of type customer.created`))).toBe(true);
    log.mockRestore();
  });
});
