import Link from "next/link";
import { StatusBadge } from "@/app/_components/status-badge";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";

export default async function StaffFleetPage() {
  await requireStaff("/staff");
  const fleet = await (await serverApi()).staff.fleet();
  return (
    <div className="stack">
      <h1>Fleet</h1>
      <table className="data">
        <thead>
          <tr>
            <th>Instance</th>
            <th>Owner</th>
            <th>Subdomain</th>
            <th>Status</th>
            <th>Created</th>
          </tr>
        </thead>
        <tbody>
          {fleet.map((row) => (
            <tr key={row.id}>
              <td>
                <Link href={`/instances/${row.id}`}>{row.name}</Link>
              </td>
              <td>{row.ownerEmail}</td>
              <td>{row.subdomain}</td>
              <td>
                <StatusBadge status={row.status} />
              </td>
              <td>{row.createdAt.toISOString().slice(0, 16).replace("T", " ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
