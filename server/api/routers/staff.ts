// Staff procedures: the fleet, one instance in full, the queue, the audit log, charts, and the staff actions
// (each audited by runStaffAction; a refusal is a PRECONDITION_FAILED error carrying the reason).
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { STAFF_ACTIONS } from "@/server/staff/actions";
import { auditPage, auditQueryInput } from "@/server/staff/audit";
import { instancesByStatusOverTime, monthlyRecurringRevenue, provisioningDurationsPerDay } from "@/server/staff/charts";
import { fleetPage, fleetStatusCounts } from "@/server/staff/fleet";
import { fleetQueryInput } from "@/server/staff/fleet-input";
import { staffInstanceDetail } from "@/server/staff/instance-detail";
import { releaseCatalogueWithFleet } from "@/server/staff/releases";
import { recentRollouts } from "@/server/staff/rollouts";
import { failedJobs, jobCountsByTaskAndState, oldestWaitingJobAgeSeconds, workersWithHeartbeat } from "@/server/staff/queue";
import { staffActionProcedure } from "../staff-action-procedure";
import { enqueueJob } from "@/server/queue/enqueue";
import { latestReconcileReport } from "@/server/reconcile/run";
import { createTRPCRouter, staffInstanceProcedure, staffProcedure } from "../trpc";

export const staffRouter = createTRPCRouter({
  fleet: staffProcedure.input(fleetQueryInput.optional()).query(({ ctx, input }) => fleetPage(ctx.db, fleetQueryInput.parse(input ?? {}))),

  statusCounts: staffProcedure.query(({ ctx }) => fleetStatusCounts(ctx.db)),

  instance: staffInstanceProcedure.query(async ({ ctx }) => {
    const detail = await staffInstanceDetail(ctx.db, ctx.instance.id);
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

  /** The newest reconcile report (orphans and ghosts), or null before the first run. */
  reconcileReport: staffProcedure.query(({ ctx }) => latestReconcileReport(ctx.db)),

  /** Runs reconcile now (read-only: it lists and compares, removes nothing). */
  runReconcile: staffProcedure.mutation(async ({ ctx }) => {
    await enqueueJob(ctx.db, "reconcile_resources", { requestedBy: ctx.user.id }, { jobKey: "reconcile_resources:staff", maxAttempts: 1 });
    return { queued: true };
  }),

  cancelOperation: staffActionProcedure(STAFF_ACTIONS.cancelOperation),
  requeueJob: staffActionProcedure(STAFF_ACTIONS.requeueJob),
  retryOperation: staffActionProcedure(STAFF_ACTIONS.retryFailedOperation),
  deprovision: staffActionProcedure(STAFF_ACTIONS.deprovisionInstance),
  suspend: staffActionProcedure(STAFF_ACTIONS.suspendInstance),
  resume: staffActionProcedure(STAFF_ACTIONS.resumeInstance),
  redeploy: staffActionProcedure(STAFF_ACTIONS.redeployInstance),
  setAppServers: staffActionProcedure(STAFF_ACTIONS.setAppServers),
  backUp: staffActionProcedure(STAFF_ACTIONS.backUpInstance),
  restore: staffActionProcedure(STAFF_ACTIONS.restoreInstance),
  clone: staffActionProcedure(STAFF_ACTIONS.cloneBackup),
  cleanUpOrphans: staffActionProcedure(STAFF_ACTIONS.cleanUpOrphans),
  upgrade: staffActionProcedure(STAFF_ACTIONS.upgradeInstance),
  rollback: staffActionProcedure(STAFF_ACTIONS.rollbackInstance),
  /** The release catalogue, oldest first, with how many instances run each. */
  releases: staffProcedure.query(({ ctx }) => releaseCatalogueWithFleet(ctx.db)),
  addRelease: staffActionProcedure(STAFF_ACTIONS.addRelease),
  changeRelease: staffActionProcedure(STAFF_ACTIONS.changeRelease),
  /** Fleet rollouts, newest first, with each wave's counts. */
  rollouts: staffProcedure.query(({ ctx }) => recentRollouts(ctx.db)),
  startRollout: staffActionProcedure(STAFF_ACTIONS.startUpgradeRollout),
  stopRollout: staffActionProcedure(STAFF_ACTIONS.stopUpgradeRollout),
});
