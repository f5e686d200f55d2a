import type { InstanceStatus } from "@/db/schema";

const LABELS: Record<InstanceStatus, string> = {
  draft: "Draft",
  awaiting_payment: "Awaiting payment",
  queued: "Queued",
  provisioning: "Provisioning",
  running: "Running",
  failed: "Failed",
  suspended: "Suspended",
  deprovisioning: "Deprovisioning",
  deprovisioned: "Deprovisioned",
};

export function statusLabel(status: InstanceStatus) {
  return LABELS[status];
}

export function StatusBadge({ status }: { status: InstanceStatus }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {LABELS[status]}
    </span>
  );
}
