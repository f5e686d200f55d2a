import Link from "next/link";
import { StatusBadge } from "@/app/_components/status-badge";
import { requireInstance, requireStaff } from "@/server/auth/guards";
import { InstanceBillingPanel } from "../instance-billing-panel";

export default async function StaffInstanceBillingPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireStaff(`/staff/billing/${id}`);
  const instance = await requireInstance(user, id, "staff");
  return (
    <div className="stack">
      <p>
        <Link href="/staff/billing">← Fleet billing</Link>
      </p>
      <h1>
        {instance.name} <StatusBadge status={instance.status} />
      </h1>
      <p className="text-slate-600">
        {instance.subdomain} · <Link href={`/staff/instances/${instance.id}`}>instance page and event log</Link>
      </p>
      <InstanceBillingPanel instanceId={instance.id} />
    </div>
  );
}
