import { env } from "@/server/env";
import type { BillingDriver } from "./driver";
import { localBillingDriver } from "./local/driver";
import { stripeClient } from "./stripe-client";
import { createStripeBillingDriver } from "./stripe-driver";

let stripeDriver: BillingDriver | undefined;

/** Stripe when STRIPE_SECRET_KEY is set, the offline driver otherwise. */
export function billingDriver(): BillingDriver {
  if (env().BILLING_DRIVER !== "stripe") return localBillingDriver;
  stripeDriver ??= createStripeBillingDriver(stripeClient);
  return stripeDriver;
}
