// The offline billing driver's staff controls as staff actions: moving the billing clock, making the card
// decline, retrying a payment and cancelling a subscription change real subscriptions (and, through the
// events they send, suspend or deprovision real instances), so each is audited like any other staff mutation.
// The events are queued for delivery in the action's own transaction: a refusal sends nothing.
import { z } from "zod";
import type { Transaction } from "@/db";
import { DAY_MS } from "@/server/billing/local/clock";
import { queueLocalEventDelivery } from "@/server/billing/local/delivery";
import type { LocalEvent } from "@/server/billing/local/objects";
import {
  advanceLocalBillingClock,
  cancelLocalSubscriptionNow,
  LocalBillingError,
  localSubscriptionId,
  payLocalOpenInvoices,
  setLocalCardDeclines,
} from "@/server/billing/local/simulator";
import { rescheduleBillingTimers } from "@/server/billing/timers";
import { env } from "@/server/env";
import { defineStaffAction, instanceActionInput, refuse, type ActionTarget } from "./staff-action";

function refuseUnlessLocalDriver() {
  if (env().BILLING_DRIVER !== "local") refuse("Only the offline billing driver has these controls: Stripe is configured.");
}

/** Runs a simulator change and queues its events; the simulator's own refusals become the action's. */
async function simulate(tx: Transaction, change: () => Promise<LocalEvent[]>): Promise<string> {
  refuseUnlessLocalDriver();
  let events: LocalEvent[];
  try {
    events = await change();
  } catch (error) {
    if (error instanceof LocalBillingError) refuse(error.message);
    throw error;
  }
  await queueLocalEventDelivery(tx, events);
  return events.length ? `Stripe events sent: ${events.map((event) => event.type).join(", ")}.` : "No Stripe events.";
}

async function locateLocalSubscription(_tx: Transaction, { instanceId }: { instanceId: string }): Promise<ActionTarget> {
  return { instanceId, target: { instanceId, subscriptionId: localSubscriptionId(instanceId) } };
}

export const advanceBillingClock = defineStaffAction({
  name: "advance_billing_clock",
  title: "Advance the billing clock",
  input: z.object({ days: z.number().min(0.01, "Advance by a positive number of days.").max(400, "Advance by at most 400 days at once.") }),

  async locate(_tx, { days }) {
    return { instanceId: null, target: { days } };
  },

  async perform({ tx, input }) {
    let now = new Date();
    const sent = await simulate(tx, async () => {
      const advanced = await advanceLocalBillingClock(tx, Math.round(input.days * DAY_MS));
      now = advanced.now;
      await rescheduleBillingTimers(tx, now);
      return advanced.events;
    });
    return { summary: `Advanced the billing clock by ${input.days} day(s) to ${now.toISOString()}. ${sent}` };
  },
});

export const setCardDeclines = defineStaffAction({
  name: "set_card_declines",
  title: "Make the card on file decline (or pay again)",
  input: instanceActionInput.extend({ declines: z.boolean() }),

  locate: locateLocalSubscription,

  async perform({ tx, input }) {
    await simulate(tx, () => setLocalCardDeclines(tx, localSubscriptionId(input.instanceId), input.declines));
    return { summary: input.declines ? "The card on file now declines every payment." : "The card on file pays again." };
  },
});

export const retryPayment = defineStaffAction({
  name: "retry_payment",
  title: "Retry the payment",
  input: instanceActionInput,

  locate: locateLocalSubscription,

  async perform({ tx, input }) {
    const sent = await simulate(tx, () => payLocalOpenInvoices(tx, localSubscriptionId(input.instanceId), { replaceCard: false }));
    return { summary: `Charged the open invoices again with the card on file. ${sent}` };
  },
});

export const cancelSubscriptionNow = defineStaffAction({
  name: "cancel_subscription_now",
  title: "Cancel the subscription now",
  input: instanceActionInput,

  locate: locateLocalSubscription,

  async perform({ tx, input }) {
    const sent = await simulate(tx, () => cancelLocalSubscriptionNow(tx, localSubscriptionId(input.instanceId)));
    return { summary: `Cancelled the subscription at once. ${sent}` };
  },
});
