"use client";
// The staff charts (recharts). Each chart has its numbers in a table beside it, for screen readers and
// for reading exact values.
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { statusLabel } from "@/app/_components/status-badge";
import type { InstanceStatus } from "@/db/schema";
import type { DurationDay, RevenueByPlan, StatusDay } from "@/server/staff/charts";
import { formatPrice } from "@/server/billing/plans";

const STATUS_COLOURS: Partial<Record<InstanceStatus, string>> = {
  running: "#16a34a",
  provisioning: "#2563eb",
  queued: "#60a5fa",
  awaiting_payment: "#f59e0b",
  failed: "#dc2626",
  suspended: "#a16207",
  deprovisioning: "#9ca3af",
  deprovisioned: "#4b5563",
  draft: "#e5e7eb",
};
const CHART_HEIGHT = 280;

export function StatusOverTimeChart({ data }: { data: StatusDay[] }) {
  const statuses = (Object.keys(STATUS_COLOURS) as InstanceStatus[]).filter((status) => data.some((day) => day[status] > 0));
  return (
    <figure className="card" aria-labelledby="status-chart-caption">
      <figcaption id="status-chart-caption" className="mb-2 font-semibold">
        Instances by status, end of each day
      </figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <AreaChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="day" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          {statuses.map((status) => (
            <Area key={status} type="stepAfter" dataKey={status} name={statusLabel(status)} stackId="fleet" stroke={STATUS_COLOURS[status]} fill={STATUS_COLOURS[status]} />
          ))}
        </AreaChart>
      </ResponsiveContainer>
      <details>
        <summary>Numbers</summary>
        <table className="data" aria-label="Instances by status per day">
          <thead>
            <tr>
              <th>Day</th>
              {statuses.map((status) => (
                <th key={status}>{statusLabel(status)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((day) => (
              <tr key={day.day}>
                <td>{day.day}</td>
                {statuses.map((status) => (
                  <td key={status}>{day[status]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function ProvisioningDurationChart({ data }: { data: DurationDay[] }) {
  return (
    <figure className="card" aria-labelledby="duration-chart-caption">
      <figcaption id="duration-chart-caption" className="mb-2 font-semibold">
        Provisioning duration per day (seconds, start to running)
      </figcaption>
      {data.length === 0 ? (
        <p>No provisioning finished in this period.</p>
      ) : (
        <>
          <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
            <LineChart data={data}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis unit=" s" />
              <Tooltip />
              <Legend />
              <Line type="monotone" dataKey="p50Seconds" name="p50" stroke="#2563eb" dot={false} />
              <Line type="monotone" dataKey="p95Seconds" name="p95" stroke="#dc2626" dot={false} />
            </LineChart>
          </ResponsiveContainer>
          <details>
            <summary>Numbers</summary>
            <table className="data" aria-label="Provisioning duration per day">
              <thead>
                <tr>
                  <th>Day</th>
                  <th>p50 (s)</th>
                  <th>p95 (s)</th>
                  <th>Provisions</th>
                </tr>
              </thead>
              <tbody>
                {data.map((day) => (
                  <tr key={day.day}>
                    <td>{day.day}</td>
                    <td>{day.p50Seconds}</td>
                    <td>{day.p95Seconds}</td>
                    <td>{day.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}

export function RevenueChart({ totalCents, byPlan }: { totalCents: number; byPlan: RevenueByPlan[] }) {
  const data = byPlan.map((row) => ({ ...row, monthly: row.monthlyCents / 100 }));
  return (
    <figure className="card" aria-labelledby="revenue-chart-caption">
      <figcaption id="revenue-chart-caption" className="mb-2 font-semibold">
        Monthly recurring revenue: <span data-testid="mrr-total">{formatPrice(totalCents)}</span>
      </figcaption>
      <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="planName" />
          <YAxis tickFormatter={(dollars: number) => (dollars >= 1000 ? `$${Math.round(dollars / 1000)}k` : `$${dollars}`)} />
          <Tooltip />
          <Bar dataKey="monthly" name="Monthly revenue ($)" fill="#0f766e" />
        </BarChart>
      </ResponsiveContainer>
      <table className="data" aria-label="Monthly recurring revenue by plan">
        <thead>
          <tr>
            <th>Plan</th>
            <th>Paying subscriptions</th>
            <th>Per month</th>
          </tr>
        </thead>
        <tbody>
          {byPlan.map((row) => (
            <tr key={row.plan}>
              <td>{row.planName}</td>
              <td>{row.subscriptions}</td>
              <td>{formatPrice(row.monthlyCents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
