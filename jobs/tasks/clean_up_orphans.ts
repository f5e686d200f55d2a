// A staff member's "Clean up orphans" on a reconcile report (audited by the staff action that queued it).
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { env } from "@/server/env";
import { infra } from "@/server/infra";
import { jobPayloads } from "@/server/queue/payloads";
import { cleanUpOrphans } from "@/server/reconcile/cleanup";

export const clean_up_orphans: Task = async (payload, helpers) => {
  const { reportId } = jobPayloads.clean_up_orphans.parse(payload);
  const results = await cleanUpOrphans(db, infra(), env(), reportId, helpers.abortSignal);
  const removed = results.filter((result) => result.outcome === "removed").length;
  helpers.logger.info(`clean-up of report ${reportId}: removed ${removed} of ${results.length} orphan(s)`);
};
