import Link from "next/link";
import { notFound } from "next/navigation";
import { StatusBadge } from "@/app/_components/status-badge";
import { requireStaff } from "@/server/auth/guards";
import { instanceIdInput } from "@/server/instances/input";
import { instanceById } from "@/server/instances/queries";
import { InstanceBillingPanel } from "../instance-billing-panel";

export default async function StaffInstanceBillingPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireStaff(`/staff/billing/${id}`);
  if (!instanceIdInput.safeParse({ id }).success) notFound();
  const instance = await instanceById(id);
  if (!instance) notFound();
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
