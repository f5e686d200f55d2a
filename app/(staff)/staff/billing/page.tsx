import Link from "next/link";
import { StatusBadge } from "@/app/_components/status-badge";
import { formatDay, SubscriptionBadge } from "@/app/_components/subscription-badge";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { formatPrice, planById } from "@/server/billing/plans";
import { env } from "@/server/env";
import { BillingClockControl } from "./billing-clock-control";
import { MrrChart } from "./mrr-chart";

/** Fleet billing for staff: totals, monthly recurring revenue by plan, and every subscription. */
export default async function StaffBillingPage() {
  await requireStaff("/staff/billing");
  const api = await serverApi();
  const [totals, rows] = await Promise.all([api.staffBilling.totals(), api.staffBilling.subscriptions({})]);
  const isLocal = env().BILLING_DRIVER === "local";
  const clock = isLocal ? await api.localBilling.clock() : null;
  const figures = [
    ["Active", totals.active],
    ["Free trial", totals.trialing],
    ["Past due", totals.pastDue],
    ["Suspended", totals.suspended],
    ["Monthly recurring revenue", formatPrice(totals.mrrCents)],
  ] as const;
  return (
    <div className="stack">
      <h1>Fleet billing</h1>
      <dl className="grid grid-cols-2 gap-4 md:grid-cols-5" aria-label="Fleet totals">
        {figures.map(([label, value]) => (
          <div key={label} className="card">
            <dt className="text-sm text-slate-500">{label}</dt>
            <dd className="text-2xl font-bold" data-testid={`total-${label.toLowerCase().replaceAll(" ", "-")}`}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <section className="card" aria-labelledby="mrr-heading">
        <h2 id="mrr-heading" className="mt-0">
          Monthly recurring revenue by plan
        </h2>
        <MrrChart rows={totals.mrrByPlan} />
        <p className="hint">Active and past-due subscriptions at each plan&apos;s monthly price; trials are not counted.</p>
      </section>
      {clock ? <BillingClockControl now={clock.now} /> : null}
      <section aria-labelledby="subscriptions-heading">
        <h2 id="subscriptions-heading">Subscriptions</h2>
        <table className="data">
          <thead>
            <tr>
              <th>Instance</th>
              <th>Owner</th>
              <th>Plan</th>
              <th>Subscription</th>
              <th>Site</th>
              <th>Period ends</th>
              <th>Deadline</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.instanceId}>
                <td>
                  <Link href={`/staff/billing/${row.instanceId}`}>{row.name}</Link>
                </td>
                <td>{row.ownerEmail}</td>
                <td>{planById(row.plan).name}</td>
                <td>
                  <SubscriptionBadge status={row.status} />
                </td>
                <td>
                  <StatusBadge status={row.instanceStatus} />
                </td>
                <td>{formatDay(row.currentPeriodEnd)}</td>
                <td>
                  {row.suspendAt ? `suspend ${formatDay(row.suspendAt)}` : row.deprovisionAt ? `deprovision ${formatDay(row.deprovisionAt)}` : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
