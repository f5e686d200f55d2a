// The Stripe SDK client. STRIPE_API_BASE points it at another host (the contract tests' loopback server).
import Stripe from "stripe";
import { env } from "@/server/env";

export function makeStripeClient(secretKey: string, apiBase?: string): Stripe {
  const base = apiBase ? new URL(apiBase) : null;
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === "https:" ? 443 : 80)),
      protocol: base.protocol.replace(":", "") as "http" | "https",
    }),
  });
}

export function stripeClient(): Stripe {
  const { STRIPE_SECRET_KEY, STRIPE_API_BASE } = env();
  if (!STRIPE_SECRET_KEY) throw new Error("STRIPE_SECRET_KEY is not set: the Stripe billing driver is not configured");
  return makeStripeClient(STRIPE_SECRET_KEY, STRIPE_API_BASE);
}
