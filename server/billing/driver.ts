import type { Instance, User } from "@/db/schema";
import type { Plan } from "./plans";

export type CheckoutRequest = {
  instance: Pick<Instance, "id" | "name" | "subdomain">;
  owner: Pick<User, "id" | "email">;
  plan: Plan;
  successUrl: string;
  cancelUrl: string;
};

/** One interface, two drivers: Stripe Checkout, or the portal's own offline checkout page. */
export interface BillingDriver {
  readonly name: "stripe" | "local";
  /** Where to send the client's browser to pay for the instance. */
  createCheckout(request: CheckoutRequest): Promise<{ url: string }>;
}
