// Delivering the local driver's events the way Stripe does: signed, over HTTP, to the portal's webhook
// route, by a background job that retries when the portal does not answer 2xx.
import { db, type Queryable, type Transaction } from "@/db";
import { env } from "@/server/env";
import { enqueueJob } from "@/server/queue/enqueue";
import { stripeSignatureHeader } from "../signature";
import type { LocalEvent } from "./objects";

/** Stripe retries a failed delivery for days; the local driver retries with graphile-worker's back-off. */
const DELIVERY_ATTEMPTS = 10;

export async function queueLocalEventDelivery(q: Queryable, events: LocalEvent[]) {
  for (const event of events) {
    await enqueueJob(q, "deliver_local_billing_event", { event }, { jobKey: `deliver:${event.id}`, maxAttempts: DELIVERY_ATTEMPTS });
  }
}

/** Posts a signed event to the portal's webhook route, as Stripe would. */
export async function deliverSignedEvent(event: { id: string }): Promise<Response> {
  const body = JSON.stringify(event);
  const { internalUrl, STRIPE_WEBHOOK_SECRET } = env();
  return fetch(`${internalUrl}/api/stripe/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": stripeSignatureHeader(body, STRIPE_WEBHOOK_SECRET) },
    body,
  });
}

/** Runs a local-driver action in one transaction with the delivery of the events it produced. */
export async function withEventDelivery(action: (tx: Transaction) => Promise<LocalEvent[]>): Promise<LocalEvent[]> {
  return db.transaction(async (tx) => {
    const events = await action(tx);
    await queueLocalEventDelivery(tx, events);
    return events;
  });
}
