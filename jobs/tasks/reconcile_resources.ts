// Daily (and on a staff member's "Run now"): compare every backend with the ledger and keep the report;
// the scheduled run emails staff when it finds anything.
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { env } from "@/server/env";
import { infra } from "@/server/infra";
import { jobPayloads } from "@/server/queue/payloads";
import { alertStaffReconcileFindings } from "@/server/notifications/reconcile-emails";
import { reconcileResources } from "@/server/reconcile/run";

export const reconcile_resources: Task = async (payload, helpers) => {
  const { requestedBy } = jobPayloads.reconcile_resources.parse(payload ?? {});
  const report = await reconcileResources(db, infra(), env(), {
    trigger: requestedBy ? "staff" : "schedule",
    requestedBy: requestedBy ?? null,
    signal: helpers.abortSignal,
  });
  if (!requestedBy) await alertStaffReconcileFindings(db, report);
  helpers.logger.info(`reconcile: ${report.orphans.length} orphan(s), ${report.ghosts.length} ghost(s), ${report.errors.length} backend error(s)`);
};
