// Stripe webhook intake (docs/architecture.md, "Paying"): verify the signature on the raw body, store the event
// under its id and add its processing job in one transaction, answer 200 at once. A replay inserts nothing
// and adds no job. Types we do not act on are stored, logged and answered 200 too (a 400 would make Stripe
// retry them for three days).
import type Stripe from "stripe";
import { db } from "@/db";
import { stripeEvents } from "@/db/schema";
import { env } from "@/server/env";
import { enqueueJob } from "@/server/queue/enqueue";
import { HANDLED_EVENT_TYPES } from "./stripe-objects";

type WebhookResult = { status: number; body: { received: boolean; duplicate?: boolean; error?: string } };

/** Processing re-reads Stripe and waits for running operations, so it may take a few attempts. */
const PROCESSING_ATTEMPTS = 25;

/**
 * The largest webhook body accepted. Stripe's event payloads are a few kilobytes (lists inside them are cut at
 * ten items); the cap only has to stop a flood, since the signature cannot be checked before the body is read.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/** Stripe's default signature tolerance: a signature older than this is refused, so a capture cannot be replayed. */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * What can be checked before reading the body: that the Stripe-Signature header is there, well formed and
 * fresh. Anyone can forge a header that passes (it proves nothing without the body), but a request that fails
 * cannot be Stripe's, so its body is never read.
 */
export function signatureHeaderRefusal(signatureHeader: string | null, nowMs = Date.now()): WebhookResult | null {
  if (!signatureHeader) return { status: 400, body: { received: false, error: "Missing Stripe-Signature header" } };
  const fields = signatureHeader.split(",").map((field) => field.trim().split("="));
  const timestamp = Number(fields.find(([name]) => name === "t")?.[1]);
  if (!Number.isInteger(timestamp) || !fields.some(([name, value]) => name === "v1" && value)) {
    return { status: 400, body: { received: false, error: "Signature verification failed: the Stripe-Signature header has no timestamp or v1 signature" } };
  }
  if (nowMs / 1000 - timestamp > SIGNATURE_TOLERANCE_SECONDS) {
    return { status: 400, body: { received: false, error: "Signature verification failed: the timestamp is outside the tolerance zone" } };
  }
  return null;
}

export async function receiveStripeWebhook(rawBody: string, signatureHeader: string | null): Promise<WebhookResult> {
  if (!signatureHeader) return { status: 400, body: { received: false, error: "Missing Stripe-Signature header" } };
  let event: Stripe.Event;
  try {
    // Stripe's default tolerance (300 s) rejects stale signatures, so a captured request cannot be replayed later.
    const { default: StripeSdk } = await import("stripe");
    event = StripeSdk.webhooks.constructEvent(rawBody, signatureHeader, env().STRIPE_WEBHOOK_SECRET);
  } catch (error) {
    return { status: 400, body: { received: false, error: `Signature verification failed: ${(error as Error).message}` } };
  }

  const isHandled = HANDLED_EVENT_TYPES.has(event.type);
  const isNew = await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(stripeEvents)
      .values({
        id: event.id,
        type: event.type,
        payload: event as unknown as Record<string, unknown>,
        ...(!isHandled && { processedAt: new Date(), outcome: "ignored: the portal does not act on this type" }),
      })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    if (inserted.length === 0) return false;
    if (isHandled) await enqueueJob(tx, "process_stripe_event", { eventId: event.id }, { jobKey: event.id, maxAttempts: PROCESSING_ATTEMPTS });
    return true;
  });
  if (isNew && !isHandled) {
    console.log(JSON.stringify({ level: "info", time: new Date().toISOString(), msg: `stripe event ${event.id} of type ${event.type} recorded and ignored` }));
  }
  return { status: 200, body: { received: true, ...(isNew ? {} : { duplicate: true }) } };
}
