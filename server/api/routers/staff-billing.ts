// Billing for staff: fleet totals, each instance's subscription, billing events and timers, and calling
// off a scheduled deprovisioning (a staff action, audited like the others).
import { z } from "zod";
import { db } from "@/db";
import { subscriptionStatus } from "@/db/schema";
import { billingEventsOfInstance, fleetBillingTotals, fleetSubscriptions, subscriptionOfInstance } from "@/server/billing/queries";
import { pendingBillingJobs } from "@/server/billing/timers";
import { env } from "@/server/env";
import { publicInstance } from "@/server/instances/draft-view";
import { STAFF_ACTIONS } from "@/server/staff/actions";
import { staffActionProcedure } from "../staff-action-procedure";
import { createTRPCRouter, instanceProcedureOf, staffProcedure } from "../trpc";

export const staffBillingRouter = createTRPCRouter({
  totals: staffProcedure.query(() => fleetBillingTotals()),

  subscriptions: staffProcedure
    .input(z.object({ status: z.enum(subscriptionStatus.enumValues).optional() }).default({}))
    .query(({ input }) => fleetSubscriptions(input)),

  instance: instanceProcedureOf("staff", "instanceId").query(async ({ ctx: { instance } }) => {
    return {
      instance: publicInstance(instance),
      driver: env().BILLING_DRIVER,
      subscription: await subscriptionOfInstance(instance.id),
      events: await billingEventsOfInstance(instance.id),
      timers: await pendingBillingJobs(db, instance.id),
    };
  }),

  /** Calls off the deprovisioning scheduled after a cancellation (an audited staff action): the instance stays, suspended. */
  keepInstance: staffActionProcedure(STAFF_ACTIONS.keepInstance),
});
