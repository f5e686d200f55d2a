import Link from "next/link";
import { StatusBadge } from "@/app/_components/status-badge";
import { formatDay, SubscriptionBadge } from "@/app/_components/subscription-badge";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { formatPrice } from "@/server/billing/plans";
import { ManageBillingButton } from "./manage-billing-button";

/** The account's billing: each instance's plan and next invoice, past invoices, and *Manage billing*. */
export default async function BillingPage() {
  await requireUser("/billing");
  const { subscriptions, invoices, canManage } = await (await serverApi()).billing.account();
  return (
    <div className="stack">
      <div className="flex items-center justify-between">
        <h1>Billing</h1>
        {canManage ? <ManageBillingButton /> : null}
      </div>
      <section aria-labelledby="subscriptions-heading" className="stack">
        <h2 id="subscriptions-heading">Subscriptions</h2>
        {subscriptions.length === 0 ? (
          <p className="card">
            No subscriptions yet. <Link href="/instances/new">Register an instance</Link> to start one.
          </p>
        ) : (
          <div className="table-scroll" tabIndex={0}>
          <table className="data">
            <thead>
              <tr>
                <th>Instance</th>
                <th>Plan</th>
                <th>Servers</th>
                <th>Subscription</th>
                <th>Next invoice</th>
                <th>Site</th>
              </tr>
            </thead>
            <tbody>
              {subscriptions.map(({ instance, subscription, plan, appServers, nextInvoiceAt }) => (
                <tr key={instance.id}>
                  <td>
                    <Link href={`/instances/${instance.id}`}>{instance.name}</Link>
                  </td>
                  <td>
                    {plan.name} · {formatPrice(plan.priceMonthlyCents)} / month
                  </td>
                  <td>
                    {appServers.running} running
                    {appServers.autoscale ? (
                      <p className="hint">
                        Autoscaled with the load: {appServers.autoscale.minServers} to {appServers.autoscale.maxServers}
                      </p>
                    ) : appServers.running !== appServers.planned ? (
                      <p className="hint">{appServers.planned} from the next deployment</p>
                    ) : null}
                  </td>
                  <td>
                    <SubscriptionBadge status={subscription.status} />
                    {subscription.pastDueSince && subscription.suspendAt && !subscription.suspendedFor ? (
                      <p className="error">Payment failed: pay by {formatDay(subscription.suspendAt)} to avoid suspension.</p>
                    ) : null}
                    {subscription.cancelAtPeriodEnd ? <p className="hint">Ends on {formatDay(subscription.currentPeriodEnd)}.</p> : null}
                  </td>
                  <td>{nextInvoiceAt ? formatDay(nextInvoiceAt) : "—"}</td>
                  <td>
                    <StatusBadge status={instance.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
      </section>
      <section aria-labelledby="invoices-heading" className="stack">
        <h2 id="invoices-heading">Invoices</h2>
        {invoices.length === 0 ? (
          <p className="card">No invoices yet.</p>
        ) : (
          <div className="table-scroll" tabIndex={0}>
          <table className="data">
            <thead>
              <tr>
                <th>Date</th>
                <th>Number</th>
                <th>Instance</th>
                <th>Amount</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((invoice) => (
                <tr key={invoice.id}>
                  <td>{formatDay(invoice.createdAt)}</td>
                  <td>{invoice.url ? <a href={invoice.url}>{invoice.number ?? invoice.id}</a> : (invoice.number ?? invoice.id)}</td>
                  <td>{invoice.instanceName ?? "—"}</td>
                  <td>{formatPrice(invoice.amountDueCents)}</td>
                  <td>{invoice.status === "open" ? <span className="error">Unpaid</span> : invoice.status === "paid" ? "Paid" : invoice.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
      </section>
    </div>
  );
}
