// Staff hear when the daily reconcile finds orphans, ghosts or a backend it could not list.
import type { Queryable } from "@/db";
import type { ReconcileReport } from "@/db/schema";
import { env } from "@/server/env";
import { enqueueEmail } from "@/server/mail/enqueue";
import { scrubSecrets } from "@/server/observability/redact";

function hasFindings(report: Pick<ReconcileReport, "orphans" | "ghosts" | "errors">) {
  return report.orphans.length + report.ghosts.length + report.errors.length > 0;
}

export async function alertStaffReconcileFindings(q: Queryable, report: ReconcileReport) {
  if (!hasFindings(report)) return;
  const { staffAlertEmails, publicUrl } = env();
  const lines = [
    `The reconcile of ${report.startedAt.toISOString()} compared every backend with the resource ledger:`,
    "",
    `${report.orphans.length} orphan(s): resources under Lyceum's prefix that no instance's ledger owns.`,
    ...report.orphans.slice(0, 20).map((orphan) => `  ${orphan.kind} ${orphan.externalId} — ${orphan.note}`),
    `${report.ghosts.length} ghost(s): ledger entries whose resource is gone.`,
    ...report.ghosts.slice(0, 20).map((ghost) => `  ${ghost.kind} ${ghost.externalId} (instance ${ghost.instanceId})`),
    ...(report.errors.length ? ["Backends that could not be listed:", ...report.errors.map((error) => `  ${error.kind}: ${scrubSecrets(error.message)}`)] : []),
    "",
    `Review and clean up: ${publicUrl}/staff/reconcile`,
  ];
  for (const to of staffAlertEmails) {
    await enqueueEmail(q, {
      to,
      subject: `[Lyceum] reconcile found ${report.orphans.length} orphan(s) and ${report.ghosts.length} ghost(s)`,
      text: lines.join("\n"),
      purpose: "staff-alert-reconcile",
    });
  }
}
