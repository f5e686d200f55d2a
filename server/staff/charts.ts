// Data for the staff charts, derived from what the portal already records (no snapshot table to keep):
// - instances by status per day, replayed from status_changed events (each moves one instance from
//   data.from to data.to; an instance starts in its first event's `from`, or its current status);
// - provisioning duration p50/p95 per day, from succeeded provision operations (started → finished);
// - monthly recurring revenue: billing's own figure (active and past-due subscriptions × plan price).
import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceStatus, type InstanceStatus } from "@/db/schema";
import { fleetBillingTotals } from "@/server/billing/queries";

const DAY_MS = 86_400_000;

export type StatusDay = { day: string } & Record<InstanceStatus, number>;

/** The last `days` UTC days, today included. */
function windowOf(days: number) {
  const today = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS);
  return { today, start: new Date(today.getTime() - (days - 1) * DAY_MS) };
}

function dayKey(date: Date) {
  return date.toISOString().slice(0, 10);
}

/** The number of instances in each status at the end of each of the last `days` days (UTC). */
export async function instancesByStatusOverTime(q: Queryable, days: number): Promise<StatusDay[]> {
  const { today, start } = windowOf(days);
  // Everything before the window is folded into its first day, so the running sum starts from the truth.
  const rows = await q.execute<{ day: string; status: InstanceStatus; delta: number }>(sql`
    with first_change as (
      select distinct on (instance_id) instance_id, data->>'from' as status
      from instance_events where kind = 'status_changed' order by instance_id, seq
    ),
    initial as (
      select greatest(i.created_at, ${start.toISOString()}::timestamptz) as at, coalesce(f.status, i.status::text) as status
      from instances i left join first_change f on f.instance_id = i.id
    ),
    changes as (
      select greatest(created_at, ${start.toISOString()}::timestamptz) as at, data->>'from' as from_status, data->>'to' as to_status
      from instance_events where kind = 'status_changed'
    ),
    deltas as (
      select at, status, 1 as delta from initial
      union all select at, to_status, 1 from changes
      union all select at, from_status, -1 from changes
    )
    select to_char(date_trunc('day', at at time zone 'UTC'), 'YYYY-MM-DD') as day, status, sum(delta)::int as delta
    from deltas where status is not null group by 1, 2`);
  const byDay = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const deltas = byDay.get(row.day) ?? new Map<string, number>();
    deltas.set(row.status, (deltas.get(row.status) ?? 0) + row.delta);
    byDay.set(row.day, deltas);
  }
  const running = Object.fromEntries(instanceStatus.enumValues.map((status) => [status, 0])) as Record<InstanceStatus, number>;
  const series: StatusDay[] = [];
  for (let time = start.getTime(); time <= today.getTime(); time += DAY_MS) {
    const day = dayKey(new Date(time));
    for (const [status, delta] of byDay.get(day) ?? []) {
      if (status in running) running[status as InstanceStatus] += delta;
    }
    series.push({ day, ...running });
  }
  return series;
}

export type DurationDay = { day: string; p50Seconds: number; p95Seconds: number; count: number };

export async function provisioningDurationsPerDay(q: Queryable, days: number): Promise<DurationDay[]> {
  const { start } = windowOf(days);
  const rows = await q.execute<{ day: string; p50: number; p95: number; count: number }>(sql`
    select to_char(date_trunc('day', finished_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
           percentile_cont(0.5) within group (order by extract(epoch from finished_at - started_at))::float8 as p50,
           percentile_cont(0.95) within group (order by extract(epoch from finished_at - started_at))::float8 as p95,
           count(*)::int as count
    from instance_operations
    where kind = 'provision' and status = 'succeeded' and started_at is not null
      and finished_at >= ${start.toISOString()}::timestamptz
    group by 1 order by 1`);
  return rows.map((row) => ({
    day: row.day,
    p50Seconds: Math.round(row.p50 * 10) / 10,
    p95Seconds: Math.round(row.p95 * 10) / 10,
    count: row.count,
  }));
}

export type RevenueByPlan = { plan: string; planName: string; subscriptions: number; monthlyCents: number };

/** The billing totals' figure (server/billing/queries.ts), shaped for the chart. */
export async function monthlyRecurringRevenue(): Promise<{ totalCents: number; byPlan: RevenueByPlan[]; subscriptionCount: number }> {
  const totals = await fleetBillingTotals();
  return {
    totalCents: totals.mrrCents,
    byPlan: totals.mrrByPlan.map((row) => ({ plan: row.plan, planName: row.name, subscriptions: row.subscribers, monthlyCents: row.mrrCents })),
    subscriptionCount: totals.active + totals.trialing + totals.pastDue + totals.canceled,
  };
}
