// The client's billing: paying (offline checkout), the account page, the instance page's notice, and the
// way into the billing provider's customer portal.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { User } from "@/db/schema";
import { canSeeInstance } from "@/server/auth/roles";
import { billingDriver } from "@/server/billing";
import { withEventDelivery } from "@/server/billing/local/delivery";
import { completeLocalCheckout } from "@/server/billing/local/simulator";
import { planById } from "@/server/billing/plans";
import { trialDaysFor } from "@/server/billing/trials";
import { nextInvoiceAt, subscriptionOfInstance, subscriptionsOwnedBy } from "@/server/billing/queries";
import { env } from "@/server/env";
import { instanceIdInput } from "@/server/instances/input";
import { instanceById } from "@/server/instances/queries";
import { assertCanPay } from "./instances";
import { createTRPCRouter, protectedProcedure } from "../trpc";

async function ownedInstance(user: User, id: string) {
  const instance = await instanceById(id);
  if (!instance || instance.ownerId !== user.id) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
  return instance;
}

export const billingRouter = createTRPCRouter({
  /**
   * The offline checkout's Pay button: the local driver creates the subscription and its first invoice and
   * delivers Stripe's events for them to our own webhook, as Stripe would after a real checkout.
   */
  payLocalCheckout: protectedProcedure
    .input(instanceIdInput.extend({ withCard: z.boolean().default(true) }))
    .mutation(async ({ ctx, input }) => {
      if (env().BILLING_DRIVER !== "local") {
        throw new TRPCError({ code: "BAD_REQUEST", message: "The offline checkout is disabled: Stripe is configured." });
      }
      const instance = await ownedInstance(ctx.user, input.id);
      if (instance.status !== "awaiting_payment") {
        throw new TRPCError({ code: "BAD_REQUEST", message: "This instance is already paid for." });
      }
      assertCanPay(ctx.user);
      const plan = planById(instance.plan);
      await withEventDelivery(async (tx) =>
        completeLocalCheckout(tx, { instance, owner: ctx.user, plan, trialDays: await trialDaysFor(tx, ctx.user, plan), withCard: input.withCard }),
      );
      return { instanceId: instance.id };
    }),

  /** The account page: each subscription with its plan, next invoice date, and the customer's invoices. */
  account: protectedProcedure.query(async ({ ctx }) => {
    const subscriptions = await subscriptionsOwnedBy(ctx.user.id);
    const customerIds = [...new Set(subscriptions.map((row) => row.subscription.stripeCustomerId).filter((id): id is string => !!id))];
    const driver = billingDriver();
    const invoices = (await Promise.all(customerIds.map((id) => driver.listInvoices(id))))
      .flat()
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const instanceOfSubscription = new Map(subscriptions.map((row) => [row.subscription.stripeSubscriptionId, row.instance.name]));
    return {
      subscriptions,
      invoices: invoices.map((invoice) => ({ ...invoice, instanceName: instanceOfSubscription.get(invoice.subscriptionId) ?? null })),
      canManage: customerIds.length > 0,
    };
  }),

  /** What the instance page says about billing (a failed payment, a trial, an ended subscription). */
  forInstance: protectedProcedure.input(instanceIdInput).query(async ({ ctx, input }) => {
    const instance = await instanceById(input.id);
    if (!instance || !canSeeInstance(ctx.user, instance)) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    const subscription = await subscriptionOfInstance(instance.id);
    if (!subscription) return null;
    return {
      status: subscription.status,
      plan: planById(subscription.plan),
      nextInvoiceAt: nextInvoiceAt(subscription),
      trialEndsAt: subscription.trialEndsAt,
      suspendAt: subscription.pastDueSince ? subscription.suspendAt : null,
      suspendedFor: subscription.suspendedFor,
      deprovisionAt: subscription.deprovisionKeptAt || subscription.deprovisionStartedAt ? null : subscription.deprovisionAt,
      cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
      currentPeriodEnd: subscription.currentPeriodEnd,
    };
  }),

  /** *Manage billing*: a Stripe Customer Portal session (the local driver has a page of its own). */
  openPortal: protectedProcedure.mutation(async ({ ctx }) => {
    const [withCustomer] = (await subscriptionsOwnedBy(ctx.user.id)).filter((row) => row.subscription.stripeCustomerId);
    if (!withCustomer) throw new TRPCError({ code: "BAD_REQUEST", message: "There is no billing account yet: pay for an instance first." });
    return billingDriver().createPortalSession({
      customerId: withCustomer.subscription.stripeCustomerId!,
      returnUrl: `${env().publicUrl}/billing`,
    });
  }),
});
