// Stripe webhook intake: verify the signature on the raw body, record the event once, act on it in the same
// transaction, answer at once. Unknown types are recorded and answered 200 (a 400 makes Stripe retry for days).
import Stripe from "stripe";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instances, stripeEvents, subscriptions } from "@/db/schema";
import { env } from "@/server/env";
import { transitionInstance } from "@/server/instances/lifecycle";
import { startOperation } from "@/server/instances/operations";
import type { Transaction } from "@/db";

export type WebhookResult = { status: number; body: { received: boolean; duplicate?: boolean; error?: string } };

export async function receiveStripeWebhook(rawBody: string, signatureHeader: string | null): Promise<WebhookResult> {
  if (!signatureHeader) return { status: 400, body: { received: false, error: "Missing Stripe-Signature header" } };
  let event: Stripe.Event;
  try {
    // Stripe's default tolerance (300 s) rejects stale signatures, so a captured request cannot be replayed later.
    event = Stripe.webhooks.constructEvent(rawBody, signatureHeader, env().STRIPE_WEBHOOK_SECRET);
  } catch (error) {
    return { status: 400, body: { received: false, error: `Signature verification failed: ${(error as Error).message}` } };
  }

  const isNew = await db.transaction(async (tx) => {
    const inserted = await tx
      .insert(stripeEvents)
      .values({ id: event.id, type: event.type, payload: event as unknown as Record<string, unknown> })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    if (inserted.length === 0) return false;
    if (event.type === "checkout.session.completed") await applyCheckoutCompleted(tx, event.data.object);
    await tx.update(stripeEvents).set({ processedAt: new Date() }).where(eq(stripeEvents.id, event.id));
    return true;
  });
  return { status: 200, body: { received: true, ...(isNew ? {} : { duplicate: true }) } };
}

async function applyCheckoutCompleted(tx: Transaction, session: Stripe.Checkout.Session) {
  const instanceId = session.client_reference_id ?? session.metadata?.instanceId;
  if (!instanceId) return;
  const instance = await tx.query.instances.findFirst({ where: eq(instances.id, instanceId) });
  // Paid already, or not ours: the event is recorded and changes nothing else.
  if (!instance || instance.status !== "awaiting_payment") return;

  const customerId = typeof session.customer === "string" ? session.customer : (session.customer?.id ?? null);
  const subscriptionId =
    typeof session.subscription === "string" ? session.subscription : (session.subscription?.id ?? null);
  await tx
    .insert(subscriptions)
    .values({
      instanceId,
      stripeCustomerId: customerId,
      stripeSubscriptionId: subscriptionId,
      plan: instance.plan,
      status: "active",
    })
    .onConflictDoUpdate({
      target: subscriptions.instanceId,
      set: { stripeCustomerId: customerId, stripeSubscriptionId: subscriptionId, status: "active", updatedAt: new Date() },
    });
  await transitionInstance(tx, instanceId, "queued", { message: "Payment received; provisioning is queued." });
  await startOperation(tx, { instanceId, kind: "provision", reason: `Stripe checkout ${session.id}` });
}
