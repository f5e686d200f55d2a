// Billing for staff: fleet totals, each instance's subscription, billing events and timers, and calling
// off a scheduled deprovisioning.
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db } from "@/db";
import { subscriptions, subscriptionStatus } from "@/db/schema";
import { billingEventsOfInstance, fleetBillingTotals, fleetSubscriptions, subscriptionOfInstance } from "@/server/billing/queries";
import { cancelTimer, deprovisionJobKey, pendingBillingJobs } from "@/server/billing/timers";
import { env } from "@/server/env";
import { appendInstanceEvent } from "@/server/instances/events";
import { publicInstance } from "@/server/instances/draft-view";
import { instanceById } from "@/server/instances/queries";
import { createTRPCRouter, staffProcedure } from "../trpc";

const instanceInput = z.object({ instanceId: z.uuid("That is not an instance id.") });

export const staffBillingRouter = createTRPCRouter({
  totals: staffProcedure.query(() => fleetBillingTotals()),

  subscriptions: staffProcedure
    .input(z.object({ status: z.enum(subscriptionStatus.enumValues).optional() }).default({}))
    .query(({ input }) => fleetSubscriptions(input)),

  instance: staffProcedure.input(instanceInput).query(async ({ input }) => {
    const instance = await instanceById(input.instanceId);
    if (!instance) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    return {
      instance: publicInstance(instance),
      driver: env().BILLING_DRIVER,
      subscription: await subscriptionOfInstance(instance.id),
      events: await billingEventsOfInstance(instance.id),
      timers: await pendingBillingJobs(db, instance.id),
    };
  }),

  /** Calls off the deprovisioning scheduled after a cancellation: the instance stays, suspended. */
  keepInstance: staffProcedure
    .input(instanceInput.extend({ reason: z.string().trim().min(3, "Say why the instance is kept.").max(500) }))
    .mutation(async ({ ctx, input }) => {
      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.instanceId, input.instanceId)).for("update");
        if (!row?.deprovisionAt || row.deprovisionKeptAt) {
          throw new TRPCError({ code: "BAD_REQUEST", message: "No deprovisioning is scheduled for this instance." });
        }
        if (row.deprovisionStartedAt) {
          throw new TRPCError({ code: "BAD_REQUEST", message: "The deprovisioning has already started; cancel the operation instead." });
        }
        await cancelTimer(tx, deprovisionJobKey(input.instanceId));
        await tx
          .update(subscriptions)
          .set({ deprovisionKeptAt: new Date(), deprovisionKeptBy: ctx.user.id, updatedAt: new Date() })
          .where(eq(subscriptions.id, row.id));
        await appendInstanceEvent(tx, {
          instanceId: input.instanceId,
          kind: "log",
          step: "billing",
          message: `Staff (${ctx.user.email}) called off the scheduled deprovisioning: ${input.reason}`,
          data: { staffId: ctx.user.id, reason: input.reason },
        });
        return { kept: true };
      });
    }),
});
