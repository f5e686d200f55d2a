// The offline billing driver's controls: the customer portal stand-in (owner) and the lifecycle controls
// (staff, audited staff actions) that make the next payment fail, retry it, advance the billing clock, or cancel.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { db } from "@/db";
import { localBillingNow } from "@/server/billing/local/clock";
import { withEventDelivery } from "@/server/billing/local/delivery";
import {
  changeLocalPlan,
  localSubscriptionId,
  payLocalOpenInvoices,
  setLocalCancelAtPeriodEnd,
} from "@/server/billing/local/simulator";
import { localSubscriptionsOf, openLocalInvoicesOf } from "@/server/billing/local/queries";
import { PLAN_IDS, planById } from "@/server/billing/plans";
import { subscriptionsPaidBy } from "@/server/billing/queries";
import { env } from "@/server/env";
import { STAFF_ACTIONS } from "@/server/staff/actions";
import { staffActionProcedure } from "../staff-action-procedure";
import { createTRPCRouter, instanceProcedureOf, protectedProcedure, staffProcedure } from "../trpc";
import type { LocalEvent } from "@/server/billing/local/objects";
import type { Transaction } from "@/db";

const planOfLocal = (priceId: string) => planById(priceId.replace(/^price_local_/, ""));

/** The owner's controls of their own subscription, and staff's view of any instance's. */
const payerOfInstance = instanceProcedureOf({ role: "billing", staff: false }, "instanceId");
const staffOfInstance = instanceProcedureOf("staff", "instanceId");

function requireLocalDriver() {
  if (env().BILLING_DRIVER !== "local") {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Only the offline billing driver has these controls: Stripe is configured." });
  }
}

async function run(action: (tx: Transaction) => Promise<LocalEvent[]>) {
  return { deliveredEvents: (await withEventDelivery(action)).map((event) => event.type) };
}

export const localBillingRouter = createTRPCRouter({
  /** The customer portal stand-in: the owner's subscriptions as the local store holds them. */
  portal: protectedProcedure.query(async ({ ctx }) => {
    requireLocalDriver();
    const owned = await subscriptionsPaidBy(ctx.user.id);
    const ids = owned.map((row) => localSubscriptionId(row.instance.id));
    const [local, openInvoices] = await Promise.all([localSubscriptionsOf(db, ids), openLocalInvoicesOf(db, ids)]);
    return {
      now: await localBillingNow(db),
      subscriptions: owned.flatMap((row) => {
        const stored = local.find((candidate) => candidate.id === localSubscriptionId(row.instance.id));
        if (!stored) return [];
        const open = openInvoices.filter((invoice) => invoice.subscriptionId === stored.id);
        return [{ instance: row.instance, stored, plan: planOfLocal(stored.priceId), openInvoices: open }];
      }),
    };
  }),

  /** The owner enters a new (test) card: it is saved and every open invoice is charged with it. */
  replaceCardAndPay: payerOfInstance.mutation(async ({ ctx }) => {
    requireLocalDriver();
    return run((tx) => payLocalOpenInvoices(tx, localSubscriptionId(ctx.instance.id), { replaceCard: true }));
  }),

  changePlan: payerOfInstance.input(z.object({ plan: z.enum(PLAN_IDS) })).mutation(async ({ ctx, input }) => {
    requireLocalDriver();
    return run((tx) => changeLocalPlan(tx, localSubscriptionId(ctx.instance.id), planById(input.plan)));
  }),

  setCancelAtPeriodEnd: payerOfInstance.input(z.object({ cancelAtPeriodEnd: z.boolean() })).mutation(async ({ ctx, input }) => {
    requireLocalDriver();
    return run((tx) => setLocalCancelAtPeriodEnd(tx, localSubscriptionId(ctx.instance.id), input.cancelAtPeriodEnd));
  }),

  /** Staff: the local subscription behind an instance, with what the controls act on. */
  subscription: staffOfInstance.query(async ({ ctx }) => {
    requireLocalDriver();
    const id = localSubscriptionId(ctx.instance.id);
    const [[stored], openInvoices] = await Promise.all([localSubscriptionsOf(db, [id]), openLocalInvoicesOf(db, [id])]);
    return { now: await localBillingNow(db), stored: stored ?? null, openInvoices };
  }),

  clock: staffProcedure.query(async () => {
    requireLocalDriver();
    return { now: await localBillingNow(db) };
  }),

  // Staff's lifecycle controls change real subscriptions: audited staff actions (server/staff/actions/billing-simulation.ts).
  advanceClock: staffActionProcedure(STAFF_ACTIONS.advanceBillingClock),
  setCardDeclines: staffActionProcedure(STAFF_ACTIONS.setCardDeclines),
  retryPayment: staffActionProcedure(STAFF_ACTIONS.retryPayment),
  cancelNow: staffActionProcedure(STAFF_ACTIONS.cancelSubscriptionNow),
});
