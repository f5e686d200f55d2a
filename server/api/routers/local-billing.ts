// The offline billing driver's controls: the customer portal stand-in (owner) and the lifecycle controls
// (staff, audited staff actions) that make the next payment fail, retry it, advance the billing clock, or cancel.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { User } from "@/db/schema";
import { db } from "@/db";
import { localBillingNow } from "@/server/billing/local/clock";
import { withEventDelivery } from "@/server/billing/local/delivery";
import {
  changeLocalPlan,
  LocalBillingError,
  localSubscriptionId,
  payLocalOpenInvoices,
  setLocalCancelAtPeriodEnd,
} from "@/server/billing/local/simulator";
import { localSubscriptionsOf, openLocalInvoicesOf } from "@/server/billing/local/queries";
import { PLAN_IDS, planById } from "@/server/billing/plans";
import { subscriptionsOwnedBy } from "@/server/billing/queries";
import { env } from "@/server/env";
import { instanceById } from "@/server/instances/queries";
import { STAFF_ACTIONS } from "@/server/staff/actions";
import { staffActionProcedure } from "../staff-action-procedure";
import { createTRPCRouter, protectedProcedure, staffProcedure } from "../trpc";
import type { LocalEvent } from "@/server/billing/local/objects";
import type { Transaction } from "@/db";

const planOfLocal = (priceId: string) => planById(priceId.replace(/^price_local_/, ""));

const instanceInput = z.object({ instanceId: z.uuid("That is not an instance id.") });

function requireLocalDriver() {
  if (env().BILLING_DRIVER !== "local") {
    throw new TRPCError({ code: "BAD_REQUEST", message: "Only the offline billing driver has these controls: Stripe is configured." });
  }
}

async function run(action: (tx: Transaction) => Promise<LocalEvent[]>) {
  try {
    return { deliveredEvents: (await withEventDelivery(action)).map((event) => event.type) };
  } catch (error) {
    if (error instanceof LocalBillingError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    throw error;
  }
}

async function ownersSubscriptionId(user: User, instanceId: string) {
  const instance = await instanceById(instanceId);
  if (!instance || instance.ownerId !== user.id) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
  return localSubscriptionId(instance.id);
}

export const localBillingRouter = createTRPCRouter({
  /** The customer portal stand-in: the owner's subscriptions as the local store holds them. */
  portal: protectedProcedure.query(async ({ ctx }) => {
    requireLocalDriver();
    const owned = await subscriptionsOwnedBy(ctx.user.id);
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
  replaceCardAndPay: protectedProcedure.input(instanceInput).mutation(async ({ ctx, input }) => {
    requireLocalDriver();
    const subscriptionId = await ownersSubscriptionId(ctx.user, input.instanceId);
    return run((tx) => payLocalOpenInvoices(tx, subscriptionId, { replaceCard: true }));
  }),

  changePlan: protectedProcedure.input(instanceInput.extend({ plan: z.enum(PLAN_IDS) })).mutation(async ({ ctx, input }) => {
    requireLocalDriver();
    const subscriptionId = await ownersSubscriptionId(ctx.user, input.instanceId);
    return run((tx) => changeLocalPlan(tx, subscriptionId, planById(input.plan)));
  }),

  setCancelAtPeriodEnd: protectedProcedure
    .input(instanceInput.extend({ cancelAtPeriodEnd: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      requireLocalDriver();
      const subscriptionId = await ownersSubscriptionId(ctx.user, input.instanceId);
      return run((tx) => setLocalCancelAtPeriodEnd(tx, subscriptionId, input.cancelAtPeriodEnd));
    }),

  /** Staff: the local subscription behind an instance, with what the controls act on. */
  subscription: staffProcedure.input(instanceInput).query(async ({ input }) => {
    requireLocalDriver();
    const id = localSubscriptionId(input.instanceId);
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
