// Paying for an instance that waits for payment: where the owner goes to pay (Stripe Checkout or the offline
// checkout page), and the offline checkout's own Pay button. The instance page's Pay and the wizard's
// Review & pay both start here.
import type { Instance, User } from "@/db/schema";
import { db } from "@/db";
import { env } from "@/server/env";
import { mayReach } from "@/server/instances/access";
import { billingDriver } from "./index";
import { withEventDelivery } from "./local/delivery";
import { completeLocalCheckout } from "./local/simulator";
import { planById } from "./plans";
import { trialDaysFor } from "./trials";

/** This person may not pay for this instance (no billing role in its organisation, or an unconfirmed address); the message says why. */
export class PaymentNotAllowedError extends Error {}

/** A checkout that cannot start as things stand (already paid, no offline checkout with Stripe configured). */
export class CheckoutRefusedError extends Error {}

/**
 * Only a member with the billing role (owners have it) of a verified account pays: the address receives the
 * invoices. The role is asked of the one access path; staff see the instance but never pay for a client.
 */
async function assertMayPay(payer: User, instance: Pick<Instance, "organisationId">) {
  if (!(await mayReach(payer, instance, { role: "billing", staff: false }))) {
    throw new PaymentNotAllowedError("Only the organisation's owners and billing members can pay.");
  }
  if (!payer.emailVerified) {
    throw new PaymentNotAllowedError("Confirm your email address before paying: open the link we emailed you, or send a new one.");
  }
}

function assertAwaitingPayment(instance: Instance) {
  if (instance.status !== "awaiting_payment") throw new CheckoutRefusedError("This instance is already paid for.");
}

/** Where the owner pays: the billing driver's checkout (Stripe's page, or the offline one) for this instance. */
export async function startCheckout(payer: User, instance: Instance) {
  await assertMayPay(payer, instance);
  assertAwaitingPayment(instance);
  const { publicUrl } = env();
  const plan = planById(instance.plan);
  return billingDriver().createCheckout({
    instance,
    owner: payer,
    plan,
    trialDays: await trialDaysFor(db, payer, plan),
    successUrl: `${publicUrl}/checkout/${instance.id}/success`,
    cancelUrl: `${publicUrl}/checkout/${instance.id}/cancelled`,
  });
}

/**
 * The offline checkout's Pay button: the local driver creates the subscription and its first invoice and
 * delivers Stripe's events for them to our own webhook, as Stripe would after a real checkout.
 */
export async function payOfflineCheckout(payer: User, instance: Instance, options: { withCard: boolean }) {
  if (env().BILLING_DRIVER !== "local") throw new CheckoutRefusedError("The offline checkout is disabled: Stripe is configured.");
  assertAwaitingPayment(instance);
  await assertMayPay(payer, instance);
  const plan = planById(instance.plan);
  await withEventDelivery(async (tx) =>
    completeLocalCheckout(tx, { instance, owner: payer, plan, trialDays: await trialDaysFor(tx, payer, plan), withCard: options.withCard }),
  );
  return { instanceId: instance.id };
}
