// An instance's billing for staff: its subscription, billing deadlines, the Stripe events about it, and
// the controls staff have. A server component, so the staff instance page can include it as it is.
import { LocalTime } from "@/app/_components/local-time";
import { formatDay, SubscriptionBadge } from "@/app/_components/subscription-badge";
import { serverApi } from "@/server/api/server-caller";
import { formatPrice, planById } from "@/server/billing/plans";
import { KeepInstanceForm } from "./keep-instance-form";
import { LocalBillingControls } from "./local-billing-controls";


export async function InstanceBillingPanel({ instanceId }: { instanceId: string }) {
  const api = await serverApi();
  const { subscription, events, timers, driver } = await api.staffBilling.instance({ instanceId });
  const local = driver === "local" ? await api.localBilling.subscription({ instanceId }) : null;
  const isDeprovisionPending = subscription?.deprovisionAt && !subscription.deprovisionKeptAt && !subscription.deprovisionStartedAt;
  return (
    <section className="stack" aria-labelledby="billing-heading">
      <h2 id="billing-heading">Billing</h2>
      {subscription ? (
        <dl className="card grid grid-cols-2 gap-2 md:grid-cols-4" aria-label="Subscription">
          <dt>Subscription</dt>
          <dd>
            <SubscriptionBadge status={subscription.status} />
          </dd>
          <dt>Plan</dt>
          <dd>
            {planById(subscription.plan).name} · {formatPrice(planById(subscription.plan).priceMonthlyCents)} / month
          </dd>
          <dt>Stripe subscription</dt>
          <dd className="break-all">{subscription.stripeSubscriptionId ?? "—"}</dd>
          <dt>Stripe customer</dt>
          <dd className="break-all">{subscription.stripeCustomerId ?? "—"}</dd>
          <dt>Period ends</dt>
          <dd>{formatDay(subscription.currentPeriodEnd)}</dd>
          <dt>Trial ends</dt>
          <dd>{formatDay(subscription.trialEndsAt)}</dd>
          <dt>Past due since</dt>
          <dd>{formatDay(subscription.pastDueSince)}</dd>
          <dt>Suspension</dt>
          <dd>
            {subscription.suspendedFor
              ? `suspended (${subscription.suspendedFor.replace("_", "-")})`
              : subscription.suspendAt
                ? `due ${formatDay(subscription.suspendAt)}`
                : "—"}
          </dd>
          <dt>Deprovisioning</dt>
          <dd>
            {subscription.deprovisionStartedAt
              ? "started"
              : subscription.deprovisionKeptAt
                ? "called off by staff"
                : subscription.deprovisionAt
                  ? `due ${formatDay(subscription.deprovisionAt)}`
                  : "—"}
          </dd>
          <dt>Last synced</dt>
          <dd><LocalTime value={subscription.syncedAt} /></dd>
        </dl>
      ) : (
        <p className="card">No subscription: this instance has not been paid for.</p>
      )}
      {timers.length > 0 ? (
        <div className="card">
          <h3 className="font-semibold">Scheduled billing jobs</h3>
          <ul>
            {timers.map((timer) => (
              <li key={timer.key}>
                <code>{timer.task}</code> at <LocalTime value={timer.runAt} /> (real time)
                {timer.lastError ? <span className="error"> — last error: {timer.lastError}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {isDeprovisionPending ? <KeepInstanceForm instanceId={instanceId} /> : null}
      {local?.stored ? (
        <LocalBillingControls
          instanceId={instanceId}
          cardDeclines={local.stored.cardDeclines}
          hasOpenInvoices={local.openInvoices.length > 0}
          hasEnded={["canceled", "incomplete_expired"].includes(local.stored.status)}
          billingNow={local.now}
        />
      ) : null}
      <div className="card">
        <h3 className="font-semibold">Stripe events</h3>
        {events.length === 0 ? (
          <p className="hint">None yet.</p>
        ) : (
          <table className="data" aria-label="Stripe events">
            <thead>
              <tr>
                <th>Received</th>
                <th>Type</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td title={event.id}><LocalTime value={event.receivedAt} /></td>
                  <td>{event.type}</td>
                  <td>{event.processedAt ? event.outcome : "waiting to be processed"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
