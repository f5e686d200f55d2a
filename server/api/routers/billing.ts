// The client's billing: paying (offline checkout), the account page, the instance page's notice, and the
// way into the billing provider's customer portal.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { billingDriver } from "@/server/billing";
import { payOfflineCheckout } from "@/server/billing/checkout";
import { planById } from "@/server/billing/plans";
import { nextInvoiceAt, subscriptionOfInstance, subscriptionsPaidBy } from "@/server/billing/queries";
import { env } from "@/server/env";
import { createTRPCRouter, instanceProcedure, memberProcedure, protectedProcedure } from "../trpc";

export const billingRouter = createTRPCRouter({
  /** The offline checkout's Pay button (server/billing/checkout.ts). */
  payLocalCheckout: memberProcedure("billing")
    .input(z.object({ withCard: z.boolean().default(true) }))
    .mutation(({ ctx, input }) => payOfflineCheckout(ctx.user, ctx.instance, { withCard: input.withCard })),

  /** The account page: each subscription with its plan, next invoice date, and the customer's invoices. */
  account: protectedProcedure.query(async ({ ctx }) => {
    const subscriptions = await subscriptionsPaidBy(ctx.user.id);
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
  forInstance: instanceProcedure("viewer").query(async ({ ctx }) => {
    const subscription = await subscriptionOfInstance(ctx.instance.id);
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
    const [withCustomer] = (await subscriptionsPaidBy(ctx.user.id)).filter((row) => row.subscription.stripeCustomerId);
    if (!withCustomer) throw new TRPCError({ code: "BAD_REQUEST", message: "There is no billing account yet: pay for an instance first." });
    return billingDriver().createPortalSession({
      customerId: withCustomer.subscription.stripeCustomerId!,
      returnUrl: `${env().publicUrl}/billing`,
    });
  }),
});
