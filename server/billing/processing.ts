// The processing side of billing intake: a stored event (or a billing timer) names a subscription; its
// current state is re-read from the billing driver and applied. Never the payload's snapshot: Stripe
// delivers late, twice and out of order, and only the state it holds now is right.
import { eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { stripeEvents, subscriptions } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { billingDriver } from "./index";
import { applySubscriptionState, type ApplyResult } from "./apply-subscription";
import { eventSubject } from "./stripe-objects";
import { enforceOneFreeTrial } from "./trials";
import { SubscriptionUnknownToProviderError } from "./unknown-subscription";

export async function processStripeEvent(eventId: string): Promise<string> {
  const row = await db.query.stripeEvents.findFirst({ where: eq(stripeEvents.id, eventId) });
  if (!row) throw new Error(`Stripe event ${eventId} was never stored`);
  if (row.processedAt) return row.outcome ?? "processed already";
  const event = row.payload as { type: string; data: { object: unknown } };
  const subject = eventSubject(event);
  if (!subject.subscriptionId) {
    const outcome = "nothing to do: the event names no subscription";
    await db.update(stripeEvents).set({ processedAt: new Date(), outcome }).where(eq(stripeEvents.id, eventId));
    return outcome;
  }
  const result = await syncSubscription(subject.subscriptionId, {
    instanceIdHint: subject.instanceId,
    eventType: row.type,
    eventId,
  });
  return result?.outcome ?? "processed already";
}

/** Runs when an instance's grace or retention period ends: the same sync, triggered by time. */
export async function syncSubscriptionOfInstance(instanceId: string): Promise<ApplyResult | null> {
  const row = await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instanceId) });
  if (!row?.stripeSubscriptionId) return null;
  return syncSubscription(row.stripeSubscriptionId, {});
}

/**
 * Re-reads a subscription and applies it, one subscription at a time: of two jobs for the same subscription
 * the second waits for the first to commit and then re-reads, so an older read never lands last.
 * With `eventId`, the event is marked processed in the same transaction, so its effects happen once.
 */
async function syncSubscription(
  subscriptionId: string,
  options: { instanceIdHint?: string | null; eventType?: string; eventId?: string },
): Promise<ApplyResult | null> {
  try {
    return await syncSubscriptionLocked(subscriptionId, options);
  } catch (error) {
    // The job fails (staff see it in the queue, with this text) and the instance's log says why nothing happened.
    if (error instanceof SubscriptionUnknownToProviderError) {
      await appendInstanceEvent(db, { instanceId: error.instanceId, kind: "log", step: "billing", level: "error", message: `Billing: ${error.message}.` });
    }
    throw error;
  }
}

async function syncSubscriptionLocked(
  subscriptionId: string,
  options: { instanceIdHint?: string | null; eventType?: string; eventId?: string },
): Promise<ApplyResult | null> {
  const driver = billingDriver();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`billing:${subscriptionId}`}, 0))`);
    if (options.eventId) {
      const [event] = await tx.select().from(stripeEvents).where(eq(stripeEvents.id, options.eventId)).for("update");
      if (event?.processedAt) return null;
    }
    const [retrieved, now] = await Promise.all([driver.retrieveSubscription(subscriptionId), driver.now()]);
    const current = await enforceOneFreeTrial(tx, driver, retrieved, options.instanceIdHint);
    const result = await applySubscriptionState(tx, {
      subscriptionId,
      current,
      instanceIdHint: options.instanceIdHint,
      now,
      eventType: options.eventType,
    });
    if (options.eventId) {
      await tx
        .update(stripeEvents)
        .set({ processedAt: new Date(), outcome: result.outcome, instanceId: result.instanceId })
        .where(eq(stripeEvents.id, options.eventId));
    }
    return result;
  });
}
