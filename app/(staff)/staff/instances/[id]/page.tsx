// One instance, for staff: who owns it, what it pays, where it lives, what exists for it, what was done to
// it and by whom, and its full event log, live.
import { LocalTime } from "@/app/_components/local-time";
import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { StatusBadge } from "@/app/_components/status-badge";
import { serverApi } from "@/server/api/server-caller";
import { requireStaff } from "@/server/auth/guards";
import { instanceIdInput } from "@/server/instances/input";
import { AuditTable } from "../../_components/audit-table";
import { formatDuration, formatPrice, secondsBetween } from "../../_components/format";
import { TableSection } from "../../_components/table-section";
import { InstanceActions } from "./instance-actions";
import { ReleaseActions } from "./release-actions";
import { LedgerDetails } from "./ledger-details";
import { StaffEventLog } from "./staff-event-log";

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[10rem_1fr] gap-x-4 gap-y-1 text-sm">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-slate-500">{term}</dt>
          <dd className="min-w-0 [overflow-wrap:anywhere]">{value ?? "—"}</dd>
        </div>
      ))}
    </dl>
  );
}

export default async function StaffInstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireStaff(`/staff/instances/${id}`);
  if (!instanceIdInput.safeParse({ id }).success) notFound();
  const detail = await (await serverApi()).staff.instance({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { instance, owner, plan, subscription, hostnames, siteUrl, ledger, deployments, appServers, operations, activeOperation, events, audit } = detail;

  return (
    <div className="stack">
      <div>
        <p className="text-sm">
          <Link href="/staff">← Fleet</Link>
        </p>
        <h1 className="flex items-center gap-3">
          {instance.name} <StatusBadge status={instance.status} />
        </h1>
        <p className="text-slate-600">
          {instance.subdomain} · instance <code>{instance.id}</code> · registered <LocalTime value={instance.createdAt} /> ·{" "}
          <Link href={`/instances/${instance.id}`}>client&apos;s view</Link>
          {siteUrl ? (
            <>
              {" "}· <a href={siteUrl}>open the site</a>
            </>
          ) : null}
        </p>
      </div>

      <div className="grid gap-4 md:grid-cols-2">
        <section className="card" aria-labelledby="owner-heading">
          <h2 id="owner-heading" className="mt-0">
            Owner
          </h2>
          <Facts
            rows={[
              ["Email", <a key="email" href={`mailto:${owner.email}`}>{owner.email}</a>],
              ["Name", owner.name],
              ["Account since", <LocalTime key="since" value={owner.createdAt} />],
              ["Their instances", <Link key="others" href={`/staff?search=${encodeURIComponent(owner.email)}`}>search the fleet</Link>],
            ]}
          />
        </section>
        <section className="card" aria-labelledby="billing-heading">
          <h2 id="billing-heading" className="mt-0">
            Plan and subscription
          </h2>
          <Facts
            rows={[
              ["Plan", plan ? `${plan.name} (${formatPrice(plan.priceMonthlyCents)} a month)` : instance.plan],
              ["Subscription", subscription ? subscription.status.replace(/_/g, " ") : "none"],
              ["Current period ends", subscription ? <LocalTime value={subscription.currentPeriodEnd} /> : null],
              ["Stripe customer", subscription?.stripeCustomerId ? <code key="c">{subscription.stripeCustomerId}</code> : null],
              ["Stripe subscription", subscription?.stripeSubscriptionId ? <code key="s">{subscription.stripeSubscriptionId}</code> : null],
              ["Billing timers and events", <Link key="billing" href={`/staff/billing/${instance.id}`}>fleet billing view</Link>],
            ]}
          />
        </section>
        <section className="card" aria-labelledby="hostnames-heading">
          <h2 id="hostnames-heading" className="mt-0">
            Hostnames
          </h2>
          <Facts
            rows={[
              ["LMS", hostnames?.lms ?? "not chosen yet (draft)"],
              ["Studio", hostnames?.studio ?? null],
              ["Preview", hostnames?.preview ?? null],
              ["Apps", hostnames?.apps ?? null],
              ["Custom domain", instance.customDomain],
            ]}
          />
        </section>
        <InstanceActions instance={instance} activeOperation={activeOperation} appServers={{ count: appServers.count, override: appServers.override, planCount: plan?.appServers ?? null }} />
        <ReleaseActions instance={instance} />
      </div>

      <StaffEventLog instanceId={instance.id} initialStatus={instance.status} initialEvents={events} />

      <TableSection
        title="Operations"
        columns={["Kind", "Status", "Queued", "Took", "Reason", "Steps"]}
        isEmpty={operations.length === 0}
        empty="No operation has run on this instance yet."
      >
        {operations.map((operation) => {
          const took = secondsBetween(operation.startedAt, operation.finishedAt);
          return (
            <tr key={operation.id} data-operation={operation.id}>
              <td>{operation.kind}</td>
              <td>
                {operation.status}
                {operation.cancelRequestedAt && (operation.status === "queued" || operation.status === "running") ? " (cancel requested)" : ""}
                {operation.error ? <div className="level-error text-xs">{operation.error}</div> : null}
              </td>
              <td><LocalTime value={operation.createdAt} /></td>
              <td>{took === null ? "—" : formatDuration(took)}</td>
              <td>{operation.reason ?? "—"}</td>
              <td>
                <ol className="text-xs">
                  {operation.steps.map((step) => (
                    <li key={step.step} className={step.status === "failed" ? "level-error" : undefined}>
                      {step.step}: {step.status}
                      {step.attempts > 1 ? ` after ${step.attempts} attempts` : ""}
                    </li>
                  ))}
                </ol>
              </td>
            </tr>
          );
        })}
      </TableSection>

      <TableSection
        title="Deployments"
        columns={["Deployment", "Status", "Driver", "Server", "Address", "Created", "Activated"]}
        isEmpty={deployments.length === 0}
        empty="No deployment yet."
      >
        {deployments.map((deployment) => (
          <tr key={deployment.id}>
            <td>
              <code>{deployment.id.slice(0, 8)}</code>
              {deployment.id === instance.activeDeploymentId ? " (active)" : ""}
            </td>
            <td>{deployment.status}</td>
            <td>{deployment.computeDriver}</td>
            <td>{deployment.serverId ?? "—"}</td>
            <td>{deployment.address ?? "—"}</td>
            <td><LocalTime value={deployment.createdAt} /></td>
            <td><LocalTime value={deployment.activatedAt} /></td>
          </tr>
        ))}
      </TableSection>

      <TableSection
        title="Application servers"
        columns={["Deployment", "Server", "Server id", "Address", "State", "Failing since", "Last checked"]}
        isEmpty={appServers.servers.length === 0}
        empty="No application server yet."
        intro={
          <p className="hint">
            Runs {appServers.count} per deployment ({appServers.override === null ? "the plan's number" : `staff override; the plan has ${plan?.appServers ?? "?"}`}); it serves while
            more than half of them answer their health checks.
          </p>
        }
      >
        {appServers.servers.map((server) => (
          <tr key={server.id}>
            <td>
              <code>{server.deploymentId.slice(0, 8)}</code>
              {server.deploymentId === instance.activeDeploymentId ? " (active)" : ""}
            </td>
            <td>{server.serverIndex + 1}</td>
            <td>{server.serverId ?? "—"}</td>
            <td>{server.address ?? "—"}</td>
            <td>{server.state}</td>
            <td><LocalTime value={server.failingSince} /></td>
            <td><LocalTime value={server.checkedAt} /></td>
          </tr>
        ))}
      </TableSection>

      <TableSection
        title="Resource ledger"
        columns={["Kind", "External id", "Details", "Created", "Removed"]}
        isEmpty={ledger.length === 0}
        empty="Nothing recorded yet."
        intro={<p className="hint">What exists for this instance. Secrets are stored encrypted and never shown here.</p>}
      >
        {ledger.map((entry) => (
          <tr key={entry.id}>
            <td>{entry.kind}</td>
            <td className="[overflow-wrap:anywhere]">
              <code>{entry.externalId}</code>
            </td>
            <td>
              <LedgerDetails details={entry.details} />
            </td>
            <td><LocalTime value={entry.createdAt} /></td>
            <td><LocalTime value={entry.deletedAt} /></td>
          </tr>
        ))}
      </TableSection>

      <section className="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading" className="mt-0">
          Staff actions on this instance
        </h2>
        <AuditTable rows={audit} showInstance={false} label="Staff actions on this instance" />
      </section>
    </div>
  );
}
