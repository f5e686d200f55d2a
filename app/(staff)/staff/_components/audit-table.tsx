// Audit entries as a table (the audit page and an instance's staff page).
import { LocalTime } from "@/app/_components/local-time";
import Link from "next/link";
import type { AuditRow } from "@/server/staff/audit";
import { STAFF_ACTION_TITLES } from "@/server/staff/actions";

export function AuditTable({ rows, showInstance = true, label = "Audit entries" }: { rows: AuditRow[]; showInstance?: boolean; label?: string }) {
  if (rows.length === 0) return <p>No staff actions recorded{showInstance ? "" : " for this instance"} yet.</p>;
  return (
    <table className="data" aria-label={label}>
      <thead>
        <tr>
          <th>When</th>
          <th>Who</th>
          <th>Action</th>
          {showInstance ? <th>Instance</th> : null}
          <th>Reason</th>
          <th>Outcome</th>
          <th>Detail</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} data-outcome={row.outcome}>
            <td><LocalTime value={row.createdAt} /></td>
            <td>{row.actorEmail}</td>
            <td>{STAFF_ACTION_TITLES[row.action] ?? row.action}</td>
            {showInstance ? (
              <td>{row.instanceId ? <Link href={`/staff/instances/${row.instanceId}`}>{row.instanceSubdomain ?? row.instanceId}</Link> : "—"}</td>
            ) : null}
            <td>{row.reason}</td>
            <td>
              <span className={`badge ${row.outcome === "accepted" ? "badge-running" : "badge-failed"}`}>{row.outcome}</span>
            </td>
            <td>{row.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
