// Billing as the tests drive it: the local driver plays Stripe (its store is Stripe's state), and its
// events reach the webhook route signed, as Stripe's would.
import { POST } from "@/app/api/stripe/webhook/route";
import { db, type Transaction } from "@/db";
import type { Instance, User } from "@/db/schema";
import type { LocalEvent } from "@/server/billing/local/objects";
import { completeLocalCheckout } from "@/server/billing/local/simulator";
import { planById } from "@/server/billing/plans";
import { signedRequest } from "./stripe";

/** Changes the local store the way Stripe would change its own, and returns the events Stripe would send. */
export function atStripe(action: (tx: Transaction) => Promise<LocalEvent[]>): Promise<LocalEvent[]> {
  return db.transaction(action);
}

/** Posts each event, signed, to the webhook route, in the order given. */
export async function deliver(events: { id: string }[]) {
  for (const event of events) {
    const response = await POST(signedRequest(JSON.stringify(event)));
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
  }
}

export function checkoutAtStripe(instance: Pick<Instance, "id" | "plan">, owner: Pick<User, "id" | "email">, withCard = true) {
  const plan = planById(instance.plan);
  return atStripe((tx) => completeLocalCheckout(tx, { instance, owner, plan, trialDays: plan.trialDays, withCard }));
}

export const ofType = (events: LocalEvent[], type: string) => events.filter((event) => event.type === type);
