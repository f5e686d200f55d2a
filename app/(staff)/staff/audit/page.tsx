// The audit log: every staff action, accepted, refused or failed, newest first.
import Link from "next/link";
import { Field } from "@/app/_components/field";
import { SelectField } from "@/app/_components/select-field";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { STAFF_ACTIONS } from "@/server/staff/actions";
import { AUDIT_OUTCOMES, auditQueryInput, type AuditQuery } from "@/server/staff/audit";
import { AuditTable } from "../_components/audit-table";
import { Pagination } from "../_components/pagination";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function auditHref(query: AuditQuery, page: number) {
  const params = new URLSearchParams();
  if (query.outcome) params.set("outcome", query.outcome);
  if (query.action) params.set("action", query.action);
  if (query.actor) params.set("actor", query.actor);
  if (page > 1) params.set("page", String(page));
  const search = params.toString();
  return search ? `/staff/audit?${search}` : "/staff/audit";
}

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  await requireStaff("/staff/audit");
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
  const parsed = auditQueryInput.safeParse(raw);
  const query = parsed.success ? parsed.data : auditQueryInput.parse({});
  const audit = await (await serverApi()).staff.audit(query);

  return (
    <div className="stack">
      <h1>Audit log</h1>
      <form method="get" action="/staff/audit" aria-label="Filter the audit log" className="card grid gap-3 md:grid-cols-4">
        <SelectField
          label="Action"
          name="action"
          defaultValue={query.action ?? ""}
          options={[["", "Any action"], ...Object.values(STAFF_ACTIONS).map((action) => [action.name, action.title] as const)]}
        />
        <SelectField
          label="Outcome"
          name="outcome"
          defaultValue={query.outcome ?? ""}
          options={[["", "Any outcome"], ...AUDIT_OUTCOMES.map((outcome) => [outcome, outcome] as const)]}
        />
        <Field label="Staff member" name="actor" type="search" defaultValue={query.actor ?? ""} placeholder="email" />
        <div className="flex items-end gap-3">
          <button type="submit" className="button">
            Apply
          </button>
          <Link href="/staff/audit">Clear</Link>
        </div>
      </form>
      <Pagination page={audit.page} pageCount={audit.pageCount} total={audit.total} noun="entries" hrefFor={(page) => auditHref(query, page)} />
      <AuditTable rows={audit.rows} />
    </div>
  );
}
