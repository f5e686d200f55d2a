import { TRPCError } from "@trpc/server";
import { deliverSignedEvent, localCheckoutCompletedEvent } from "@/server/billing/local-driver";
import { planById } from "@/server/billing/plans";
import { env } from "@/server/env";
import { instanceIdInput } from "@/server/instances/input";
import { instanceById } from "@/server/instances/queries";
import { assertCanPay } from "./instances";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const billingRouter = createTRPCRouter({
  /** The offline checkout's Pay button: delivers a signed checkout.session.completed to our own webhook. */
  payLocalCheckout: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    if (env().BILLING_DRIVER !== "local") {
      throw new TRPCError({ code: "BAD_REQUEST", message: "The offline checkout is disabled: Stripe is configured." });
    }
    const instance = await instanceById(input.id);
    if (!instance || instance.ownerId !== ctx.user.id) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    if (instance.status !== "awaiting_payment") {
      throw new TRPCError({ code: "BAD_REQUEST", message: "This instance is already paid for." });
    }
    assertCanPay(ctx.user);
    const response = await deliverSignedEvent(localCheckoutCompletedEvent(instance, ctx.user, planById(instance.plan)));
    if (!response.ok) {
      throw new TRPCError({
        code: "INTERNAL_SERVER_ERROR",
        message: `The webhook refused the payment event (${response.status}): ${await response.text()}`,
      });
    }
    return { instanceId: instance.id };
  }),
});
