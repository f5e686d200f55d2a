// Plans ⇄ provider price ids. Stripe's come from configuration; the local driver's are derived.
import { env } from "@/server/env";
import { PLANS, type Plan, type PlanId } from "./plans";

export function localPriceId(plan: Pick<Plan, "id">): string {
  return `price_local_${plan.id}`;
}

export function stripePriceId(plan: Plan): string {
  const priceId = env()[plan.stripePriceEnv];
  if (!priceId) throw new Error(`${plan.stripePriceEnv} is not set: the Stripe price id of the ${plan.name} plan is needed`);
  return priceId;
}

/** The plan a price belongs to, or null for a price that is not one of ours. */
export function planOfPrice(priceId: string): PlanId | null {
  const config = env();
  const plan = PLANS.find((candidate) => localPriceId(candidate) === priceId || config[candidate.stripePriceEnv] === priceId);
  return plan?.id ?? null;
}
