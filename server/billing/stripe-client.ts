// The Stripe SDK client. STRIPE_API_BASE points it at another host (the contract tests' loopback server).
// The SDK is loaded on first use: it weighs ~18 MB of a process's memory, and the offline billing driver (the
// default) never needs it.
import type Stripe from "stripe";
import { env } from "@/server/env";

async function makeStripeClient(secretKey: string, apiBase?: string): Promise<Stripe> {
  const { default: StripeSdk } = await import("stripe");
  const base = apiBase ? new URL(apiBase) : null;
  return new StripeSdk(secretKey, {
    maxNetworkRetries: 2,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
      protocol: base.protocol.replace(":", "") as "http" | "https",
    }),
  });
}

let client: Promise<Stripe> | undefined;

/** The configured Stripe client, made once. */
export function stripeClient(): Promise<Stripe> {
  const { STRIPE_SECRET_KEY, STRIPE_API_BASE } = env();
  if (!STRIPE_SECRET_KEY) throw new Error("STRIPE_SECRET_KEY is not set: the Stripe billing driver is not configured");
  client ??= makeStripeClient(STRIPE_SECRET_KEY, STRIPE_API_BASE);
  return client;
}
