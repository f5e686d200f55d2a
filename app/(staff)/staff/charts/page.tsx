// Charts of the fleet over time; see server/staff/charts.ts for how each series is derived.
import Link from "next/link";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { ProvisioningDurationChart, RevenueChart, StatusOverTimeChart } from "./fleet-charts";

export default async function ChartsPage() {
  await requireStaff("/staff/charts");
  const { days, statusOverTime, provisioningDurations, revenue } = await (await serverApi()).staff.charts({ days: 30 });
  return (
    <div className="stack">
      <h1>Charts</h1>
      <p className="hint">The last {days} days, in UTC.</p>
      <StatusOverTimeChart data={statusOverTime} />
      <ProvisioningDurationChart data={provisioningDurations} />
      {revenue.subscriptionCount === 0 ? (
        <section className="card">
          <h2 className="mt-0">Monthly recurring revenue</h2>
          <p>No billing data yet: no instance has a subscription.</p>
        </section>
      ) : (
        <>
          <RevenueChart totalCents={revenue.totalCents} byPlan={revenue.byPlan} />
          <p className="hint">
            Active and past-due subscriptions at each plan&apos;s monthly price, as on the <Link href="/staff/billing">fleet billing</Link> page.
          </p>
        </>
      )}
    </div>
  );
}
