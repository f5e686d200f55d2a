import { env } from "@/server/env";
import type { BillingDriver } from "./driver";
import { localBillingDriver } from "./local-driver";
import { stripeBillingDriver } from "./stripe-driver";

/** Stripe when STRIPE_SECRET_KEY is set, the offline checkout otherwise. */
export function billingDriver(): BillingDriver {
  return env().BILLING_DRIVER === "stripe" ? stripeBillingDriver : localBillingDriver;
}
