// Reconcile: the latest comparison of every backend with the resource ledger — orphans (a database, vhost,
// bucket or server no instance owns) and ghosts (a ledger entry whose resource is gone) — with "Run now" and
// a one-click clean-up of the orphans.
import { LocalTime } from "@/app/_components/local-time";
import Link from "next/link";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { AutoRefresh } from "../_components/auto-refresh";
import { CleanUpOrphansForm, RunReconcileButton } from "./reconcile-controls";

export default async function ReconcilePage() {
  await requireStaff("/staff/reconcile");
  const report = await (await serverApi()).staff.reconcileReport();

  return (
    <div className="stack">
      <h1>Reconcile</h1>
      <p className="hint">
        Every backend (MySQL, RabbitMQ, object storage, compute) is listed under this portal&apos;s resource prefix and compared with the
        ledger. It runs daily; staff are emailed when it finds anything.
      </p>
      <RunReconcileButton />
      <AutoRefresh seconds={10} />
      {!report ? (
        <p>No reconcile has run yet.</p>
      ) : (
        <>
          <section className="card" aria-labelledby="report-heading">
            <h2 id="report-heading" className="mt-0">
              Report of <LocalTime value={report.startedAt} />
            </h2>
            <p>
              {report.trigger === "staff" ? "Run by staff" : "Scheduled run"};{" "}
              {report.finishedAt ? <>finished <LocalTime value={report.finishedAt} /></> : "still running"}.{" "}
              {report.inventories.map((inventory) => `${inventory.kind}: ${inventory.count}`).join(", ")}
            </p>
            {report.errors.length > 0 ? (
              <ul aria-label="Backends that could not be listed">
                {report.errors.map((error) => (
                  <li key={error.kind} className="error">
                    {error.kind}: {error.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </section>

          <section className="card" aria-labelledby="orphans-heading">
            <h2 id="orphans-heading" className="mt-0">
              Orphans ({report.orphans.length})
            </h2>
            {report.orphans.length === 0 ? (
              <p>None: every resource under the prefix is owned by an instance&apos;s ledger.</p>
            ) : (
              <table className="data" aria-label="Orphans">
                <thead>
                  <tr>
                    <th>Kind</th>
                    <th>Name</th>
                    <th>Note</th>
                    <th>Clean-up</th>
                  </tr>
                </thead>
                <tbody>
                  {report.orphans.map((orphan) => {
                    const outcome = report.cleanup?.find((result) => result.kind === orphan.kind && result.externalId === orphan.externalId);
                    return (
                      <tr key={`${orphan.kind}:${orphan.externalId}`}>
                        <td>{orphan.kind}</td>
                        <td>
                          <code>{orphan.externalId}</code>
                        </td>
                        <td>
                          {orphan.note}
                          {orphan.instanceId ? (
                            <>
                              {" "}
                              (<Link href={`/staff/instances/${orphan.instanceId}`}>instance</Link>)
                            </>
                          ) : null}
                        </td>
                        <td>{outcome ? `${outcome.outcome}${outcome.outcome === "removed" ? "" : `: ${outcome.detail}`}` : "—"}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            {report.orphans.length > 0 && report.finishedAt && !report.cleanupRequestedAt ? (
              <CleanUpOrphansForm reportId={report.id} count={report.orphans.length} />
            ) : null}
            {report.cleanupRequestedAt ? (
              <p role="status">
                Clean-up requested <LocalTime value={report.cleanupRequestedAt} />;{" "}
                {report.cleanupFinishedAt ? <>finished <LocalTime value={report.cleanupFinishedAt} /></> : "running"}.
              </p>
            ) : null}
          </section>

          <section className="card" aria-labelledby="ghosts-heading">
            <h2 id="ghosts-heading" className="mt-0">
              Ghosts ({report.ghosts.length})
            </h2>
            {report.ghosts.length === 0 ? (
              <p>None: every live ledger entry&apos;s resource exists.</p>
            ) : (
              <table className="data" aria-label="Ghosts">
                <thead>
                  <tr>
                    <th>Kind</th>
                    <th>Name</th>
                    <th>Instance</th>
                  </tr>
                </thead>
                <tbody>
                  {report.ghosts.map((ghost) => (
                    <tr key={ghost.entryId}>
                      <td>{ghost.kind}</td>
                      <td>
                        <code>{ghost.externalId}</code>
                      </td>
                      <td>
                        <Link href={`/staff/instances/${ghost.instanceId}`}>{ghost.instanceId.slice(0, 8)}</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p className="hint">A ghost is not removed here: the instance&apos;s ledger says it exists. Redeploy or reprovision the instance, or deprovision it.</p>
          </section>
        </>
      )}
    </div>
  );
}
