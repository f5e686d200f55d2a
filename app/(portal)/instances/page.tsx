import Link from "next/link";
import { LocalTime } from "@/app/_components/local-time";
import { StatusBadge } from "@/app/_components/status-badge";
import { VerifyEmailNotice } from "@/app/_components/verify-email-notice";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";

export default async function MyInstancesPage() {
  const user = await requireUser("/instances");
  const instances = await (await serverApi()).instances.mine();
  return (
    <div className="stack">
      <div className="flex items-center justify-between">
        <h1>My instances</h1>
        <Link href="/instances/new" className="button">
          Register an instance
        </Link>
      </div>
      {!user.emailVerified ? <VerifyEmailNotice email={user.email} /> : null}
      {instances.length === 0 ? (
        <p className="card">You have no instances yet. Register one to get your own Open edX site.</p>
      ) : (
        <div className="table-scroll" tabIndex={0}>
        <table className="data">
          <thead>
            <tr>
              <th>Name</th>
              <th>Subdomain</th>
              <th>Status</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {instances.map((instance) => (
              <tr key={instance.id}>
                <td>
                  {instance.status === "draft" ? (
                    <Link href={`/instances/${instance.id}/setup`}>{instance.name} — continue registration</Link>
                  ) : (
                    <Link href={`/instances/${instance.id}`}>{instance.name}</Link>
                  )}
                </td>
                <td>{instance.subdomain ?? "—"}</td>
                <td>
                  <StatusBadge status={instance.status} />
                </td>
                <td>
                  <LocalTime value={instance.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
    </div>
  );
}
