// The fleet: every instance, searched, filtered, sorted and paginated in the database; counts by status on top.
import { LocalTime } from "@/app/_components/local-time";
import Link from "next/link";
import { Field } from "@/app/_components/field";
import { SelectField } from "@/app/_components/select-field";
import { StatusBadge, statusLabel } from "@/app/_components/status-badge";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { PLANS } from "@/server/billing/plans";
import { BILLING_STATES, FLEET_PAGE_SIZES, fleetQueryInput, INSTANCE_STATUSES, type FleetQuery } from "@/server/staff/fleet-input";
import { Pagination } from "./_components/pagination";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const SORT_LABELS = [
  ["created", "Registered"],
  ["name", "Name"],
  ["subdomain", "Subdomain"],
  ["status", "Status"],
  ["plan", "Plan"],
  ["owner", "Owner email"],
] as const;

/** The age at which prometheus/alerts.yml's LyceumBackupMissing fires. */
const BACKUP_STALE_MS = 36 * 3_600_000;

function fleetHref(query: FleetQuery, changes: Partial<FleetQuery>) {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.search) params.set("search", next.search);
  if (next.status) params.set("status", next.status);
  if (next.plan) params.set("plan", next.plan);
  if (next.billing) params.set("billing", next.billing);
  if (next.sort !== "created") params.set("sort", next.sort);
  if (next.direction !== "desc") params.set("direction", next.direction);
  if (next.pageSize !== 50) params.set("pageSize", String(next.pageSize));
  if (next.page > 1) params.set("page", String(next.page));
  const search = params.toString();
  return search ? `/staff?${search}` : "/staff";
}

export default async function StaffFleetPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff("/staff");
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
  const parsed = fleetQueryInput.safeParse(raw);
  const query = parsed.success ? parsed.data : fleetQueryInput.parse({});
  const api = await serverApi();
  const [fleet, counts] = await Promise.all([api.staff.fleet(query), api.staff.statusCounts()]);

  return (
    <div className="stack">
      <h1>Fleet</h1>
      <section aria-label="Instances by status" className="flex flex-wrap gap-2">
        <Link href={fleetHref(query, { status: undefined, page: 1 })} className="card px-3 py-2" data-testid="count-all">
          All <strong>{counts.total.toLocaleString("en-US")}</strong>
        </Link>
        {counts.byStatus.map((row) => (
          <Link key={row.status} href={fleetHref(query, { status: row.status, page: 1 })} className="card px-3 py-2" data-testid={`count-${row.status}`}>
            {statusLabel(row.status)} <strong>{row.count.toLocaleString("en-US")}</strong>
          </Link>
        ))}
      </section>

      <form method="get" action="/staff" role="search" aria-label="Find instances" className="card grid gap-3 md:grid-cols-4">
        <div className="md:col-span-4">
          <Field
            label="Search"
            name="search"
            type="search"
            defaultValue={query.search}
            placeholder="Name, subdomain, custom domain, owner email or instance id"
            error={parsed.success ? null : parsed.error.issues[0]?.message}
          />
        </div>
        <SelectField
          label="Status"
          name="status"
          defaultValue={query.status ?? ""}
          options={[["", "Any status"], ...INSTANCE_STATUSES.map((status) => [status, statusLabel(status)] as const)]}
        />
        <SelectField label="Plan" name="plan" defaultValue={query.plan ?? ""} options={[["", "Any plan"], ...PLANS.map((plan) => [plan.id, plan.name] as const)]} />
        <SelectField
          label="Billing"
          name="billing"
          defaultValue={query.billing ?? ""}
          options={[["", "Any billing state"], ...BILLING_STATES.map((state) => [state, state === "none" ? "No subscription" : state.replace(/_/g, " ")] as const)]}
        />
        <SelectField label="Sort by" name="sort" defaultValue={query.sort} options={SORT_LABELS} />
        <SelectField label="Order" name="direction" defaultValue={query.direction} options={[["desc", "Descending"], ["asc", "Ascending"]]} />
        <SelectField label="Per page" name="pageSize" defaultValue={String(query.pageSize)} options={FLEET_PAGE_SIZES.map((size) => [String(size), String(size)] as const)} />
        <div className="flex items-end gap-3 md:col-span-2">
          <button type="submit" className="button">
            Apply
          </button>
          <Link href="/staff">Clear filters</Link>
        </div>
      </form>

      <Pagination page={fleet.page} pageCount={fleet.pageCount} total={fleet.total} noun="instances" hrefFor={(page) => fleetHref(query, { page })} />
      <div className="table-scroll">
        <table className="data" aria-label="Instances">
          <thead>
            <tr>
              <th>Instance</th>
              <th>Subdomain and domain</th>
              <th>Owner</th>
              <th>Plan</th>
              <th>Billing</th>
              <th>Status</th>
              <th>Registered</th>
              <th>Last backup</th>
            </tr>
          </thead>
          <tbody>
            {fleet.rows.map((row) => (
              <tr key={row.id}>
                <td>
                  <Link href={`/staff/instances/${row.id}`}>{row.name}</Link>
                </td>
                <td>
                  {row.subdomain}
                  {row.customDomain ? <div className="text-xs text-slate-500">{row.customDomain}</div> : null}
                </td>
                <td>{row.ownerEmail}</td>
                <td>{row.plan}</td>
                <td>{row.billingStatus?.replace(/_/g, " ") ?? "none"}</td>
                <td>
                  <StatusBadge status={row.status} />
                </td>
                <td>
                  <LocalTime value={row.createdAt} shown="date" />
                </td>
                <td className={(row.lastBackupAgeMs ?? 0) > BACKUP_STALE_MS ? "level-error" : undefined}>
                  {row.lastBackupAt === null ? "none" : <LocalTime value={row.lastBackupAt} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {fleet.rows.length === 0 ? <p>No instance matches these filters.</p> : null}
      <Pagination label="Pagination, end of list" page={fleet.page} pageCount={fleet.pageCount} total={fleet.total} noun="instances" hrefFor={(page) => fleetHref(query, { page })} />
    </div>
  );
}
