// The emails billing sends an instance's owner.
import type { Instance, User } from "@/db/schema";
import { env } from "@/server/env";
import type { EmailMessage } from "@/server/mail/message";
import { planById } from "./plans";

const day = (date: Date) => date.toISOString().slice(0, 10);
const billingPage = () => `${env().publicUrl}/billing`;

type Owner = Pick<User, "email">;
type NamedInstance = Pick<Instance, "name" | "subdomain">;

export function paymentFailedEmail(owner: Owner, instance: NamedInstance, suspendAt: Date): EmailMessage {
  return {
    to: owner.email,
    purpose: "payment_failed",
    subject: `Payment failed for ${instance.name}: please update your payment method`,
    text: [
      `We could not take the latest payment for ${instance.name} (${instance.subdomain}).`,
      "",
      `Please update your payment method by ${day(suspendAt)}. If the invoice is still unpaid then, the site will be`,
      "suspended: its data is kept, and visitors see a maintenance page until the payment goes through.",
      "",
      `Manage billing: ${billingPage()}`,
    ].join("\n"),
  };
}

export function trialEndingEmail(owner: Owner, instance: NamedInstance, planId: string, trialEnd: Date, hasPaymentMethod: boolean): EmailMessage {
  return {
    to: owner.email,
    purpose: "trial_will_end",
    subject: `Your free trial of ${instance.name} ends on ${day(trialEnd)}`,
    text: [
      `The free trial of the ${planById(planId).name} plan for ${instance.name} ends on ${day(trialEnd)}.`,
      "",
      hasPaymentMethod
        ? "Your card on file will be charged then; nothing else to do."
        : "There is no payment method on file yet: add one before then, or the first payment will fail and the site will be suspended after the grace period.",
      "",
      `Manage billing: ${billingPage()}`,
    ].join("\n"),
  };
}

export function suspendedEmail(owner: Owner, instance: NamedInstance): EmailMessage {
  return {
    to: owner.email,
    purpose: "suspended_for_nonpayment",
    subject: `${instance.name} is suspended for non-payment`,
    text: [
      `${instance.name} (${instance.subdomain}) is suspended because its invoice is still unpaid. All of its data is kept;`,
      "visitors see a maintenance page. It comes back by itself as soon as the payment goes through.",
      "",
      `Manage billing: ${billingPage()}`,
    ].join("\n"),
  };
}

export function subscriptionEndedEmail(owner: Owner, instance: NamedInstance, deprovisionAt: Date): EmailMessage {
  return {
    to: owner.email,
    purpose: "subscription_ended",
    subject: `Your subscription for ${instance.name} has ended`,
    text: [
      `The subscription for ${instance.name} (${instance.subdomain}) has ended, and the site is suspended.`,
      `Its data is kept until ${day(deprovisionAt)}; after that the instance and all of its data are deleted.`,
      "Reply to this email if you want to keep it.",
    ].join("\n"),
  };
}
