// Staff procedures: the fleet, one instance in full, the queue, the audit log, charts, and the staff actions
// (each audited by runStaffAction; a refusal is a PRECONDITION_FAILED error carrying the reason).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { instanceIdInput } from "@/server/instances/input";
import { actionInputSchema, runStaffAction, type StaffAction } from "@/server/staff/actions/framework";
import { STAFF_ACTIONS } from "@/server/staff/actions";
import { auditPage, auditQueryInput } from "@/server/staff/audit";
import { instancesByStatusOverTime, monthlyRecurringRevenue, provisioningDurationsPerDay } from "@/server/staff/charts";
import { fleetPage, fleetStatusCounts } from "@/server/staff/fleet";
import { fleetQueryInput } from "@/server/staff/fleet-input";
import { staffInstanceDetail } from "@/server/staff/instance-detail";
import { failedJobs, jobCountsByTaskAndState, oldestWaitingJobAgeSeconds, workersWithHeartbeat } from "@/server/staff/queue";
import { createTRPCRouter, staffProcedure } from "../trpc";

function staffActionProcedure<S extends z.ZodObject>(action: StaffAction<S>) {
  return staffProcedure.input(actionInputSchema(action)).mutation(async ({ ctx, input }) => {
    const result = await runStaffAction(action, ctx.user, input as Parameters<typeof runStaffAction<S>>[2]);
    if (result.outcome === "refused") throw new TRPCError({ code: "PRECONDITION_FAILED", message: result.message });
    return result;
  });
}

export const staffRouter = createTRPCRouter({
  fleet: staffProcedure.input(fleetQueryInput.optional()).query(({ ctx, input }) => fleetPage(ctx.db, fleetQueryInput.parse(input ?? {}))),

  statusCounts: staffProcedure.query(({ ctx }) => fleetStatusCounts(ctx.db)),

  instance: staffProcedure.input(instanceIdInput).query(async ({ ctx, input }) => {
    const detail = await staffInstanceDetail(ctx.db, input.id);
    if (!detail) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    return detail;
  }),

  queue: staffProcedure.query(async ({ ctx }) => {
    const [counts, failed, oldestWaitingSeconds, workers] = await Promise.all([
      jobCountsByTaskAndState(ctx.db),
      failedJobs(ctx.db),
      oldestWaitingJobAgeSeconds(ctx.db),
      workersWithHeartbeat(ctx.db),
    ]);
    return { counts, failed, oldestWaitingSeconds, workers };
  }),

  audit: staffProcedure.input(auditQueryInput.optional()).query(({ ctx, input }) => auditPage(ctx.db, auditQueryInput.parse(input ?? {}))),

  charts: staffProcedure
    .input(z.object({ days: z.number().int().min(7).max(365).default(30) }).optional())
    .query(async ({ ctx, input }) => {
      const days = input?.days ?? 30;
      const [statusOverTime, provisioningDurations, revenue] = await Promise.all([
        instancesByStatusOverTime(ctx.db, days),
        provisioningDurationsPerDay(ctx.db, days),
        monthlyRecurringRevenue(),
      ]);
      return { days, statusOverTime, provisioningDurations, revenue };
    }),

  cancelOperation: staffActionProcedure(STAFF_ACTIONS.cancelOperation),
  requeueJob: staffActionProcedure(STAFF_ACTIONS.requeueJob),
  retryOperation: staffActionProcedure(STAFF_ACTIONS.retryFailedOperation),
  deprovision: staffActionProcedure(STAFF_ACTIONS.deprovisionInstance),
  suspend: staffActionProcedure(STAFF_ACTIONS.suspendInstance),
  resume: staffActionProcedure(STAFF_ACTIONS.resumeInstance),
  redeploy: staffActionProcedure(STAFF_ACTIONS.redeployInstance),
});
