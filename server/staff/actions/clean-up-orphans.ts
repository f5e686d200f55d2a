// Clean up the orphans of a reconcile report: queues the job that removes exactly those, each re-checked first
// (server/reconcile/cleanup.ts). Once per report.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { reconcileReports } from "@/db/schema";
import { enqueueJob } from "@/server/queue/enqueue";
import { defineStaffAction, refuse } from "./staff-action";

export const cleanUpOrphans = defineStaffAction({
  name: "clean_up_orphans",
  title: "Clean up orphans",
  input: z.object({ reportId: z.uuid("That is not a reconcile report id.") }),

  async locate(_tx, { reportId }) {
    return { instanceId: null, target: { reportId } };
  },

  async perform({ tx, actor, input }) {
    const [report] = await tx.select().from(reconcileReports).where(eq(reconcileReports.id, input.reportId)).for("update");
    if (!report) refuse("That reconcile report no longer exists; run reconcile again.");
    if (!report.finishedAt) refuse("That reconcile is still running.");
    if (report.orphans.length === 0) refuse("That report lists no orphans.");
    if (report.cleanupRequestedAt) refuse(`Clean-up of that report was already requested at ${report.cleanupRequestedAt.toISOString()}.`);
    await tx.update(reconcileReports).set({ cleanupRequestedAt: new Date(), cleanupRequestedBy: actor.id }).where(eq(reconcileReports.id, report.id));
    await enqueueJob(tx, "clean_up_orphans", { reportId: report.id }, { jobKey: `clean_up_orphans:${report.id}`, maxAttempts: 1 });
    const listed = report.orphans.map((orphan) => `${orphan.kind} ${orphan.externalId}`).join(", ");
    return { summary: `Requested removal of the ${report.orphans.length} orphan(s) of reconcile report ${report.id}: ${listed}.` };
  },
});
