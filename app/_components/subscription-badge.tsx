import type { SubscriptionStatus } from "@/db/schema";

const LABELS: Record<SubscriptionStatus, string> = {
  incomplete: "Awaiting first payment",
  incomplete_expired: "Checkout expired",
  trialing: "Free trial",
  active: "Active",
  past_due: "Past due",
  unpaid: "Unpaid",
  paused: "Paused",
  canceled: "Cancelled",
};

const TONE: Partial<Record<SubscriptionStatus, string>> = {
  active: "badge-running",
  trialing: "badge-queued",
  past_due: "badge-awaiting_payment",
  unpaid: "badge-failed",
  paused: "badge-awaiting_payment",
  canceled: "badge-suspended",
};

export function SubscriptionBadge({ status }: { status: SubscriptionStatus }) {
  return (
    <span className={`badge ${TONE[status] ?? ""}`} data-subscription-status={status}>
      {LABELS[status]}
    </span>
  );
}

/** Dates as people read them on billing pages: 3 May 2026. */
export function formatDay(date: Date | string | null | undefined) {
  if (!date) return "—";
  return new Date(date).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}
