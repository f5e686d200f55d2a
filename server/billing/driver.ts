import type { Instance, SubscriptionStatus, User } from "@/db/schema";
import type { Plan, PlanId } from "./plans";

export type CheckoutRequest = {
  instance: Pick<Instance, "id" | "name" | "subdomain">;
  owner: Pick<User, "id" | "email">;
  plan: Plan;
  /** The free days to offer: the plan's trial if the account may still have one (./trials.ts), else null. */
  trialDays: number | null;
  successUrl: string;
  cancelUrl: string;
};

/** A subscription as the billing provider holds it now: the only state billing decisions are made on. */
export type BillingSubscription = {
  id: string;
  customerId: string;
  status: SubscriptionStatus;
  /** From the subscription's metadata, which checkout sets. */
  instanceId: string | null;
  /** From the subscription's price (a plan change in the Customer Portal changes the price, not the metadata). */
  planId: PlanId | null;
  currentPeriodEnd: Date | null;
  trialEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  hasPaymentMethod: boolean;
  /**
   * When the unpaid latest invoice was finalized, i.e. first charged (Stripe charges an invoice when it finalizes
   * it); null when the latest invoice is paid or the provider does not say. The grace period runs from here.
   */
  unpaidSince: Date | null;
  /** The fingerprint of the default card (Stripe's `card.fingerprint`), when the provider reports one. */
  cardFingerprint: string | null;
};

export type BillingInvoice = {
  id: string;
  number: string | null;
  status: string;
  amountDueCents: number;
  amountPaidCents: number;
  currency: string;
  createdAt: Date;
  /** Stripe's hosted invoice page, when there is one. */
  url: string | null;
  subscriptionId: string | null;
};

/** One interface, two drivers: Stripe, or the portal's own offline store in Postgres. */
export interface BillingDriver {
  readonly name: "stripe" | "local";
  /** The billing clock: real time for Stripe, an advanceable clock for the local driver. */
  now(): Promise<Date>;
  /** Where to send the client's browser to pay for the instance (a subscription-mode checkout). */
  createCheckout(request: CheckoutRequest): Promise<{ url: string }>;
  /** The subscription as the provider holds it now; null when the provider does not know it. */
  retrieveSubscription(subscriptionId: string): Promise<BillingSubscription | null>;
  /** Ends a trial at once (Stripe: `trial_end: "now"`): the first invoice is issued and charged now. */
  endTrialNow(subscriptionId: string): Promise<void>;
  /** The customer's invoices, newest first. */
  listInvoices(customerId: string): Promise<BillingInvoice[]>;
  /** Where the customer manages payment methods, plan and cancellation (Stripe's Customer Portal). */
  createPortalSession(request: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
}
