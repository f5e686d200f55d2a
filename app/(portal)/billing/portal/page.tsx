import Link from "next/link";
import { notFound } from "next/navigation";
import { formatDay, SubscriptionBadge } from "@/app/_components/subscription-badge";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { formatPrice } from "@/server/billing/plans";
import { env } from "@/server/env";
import { PortalControls } from "./portal-controls";

/** The offline driver's stand-in for Stripe's Customer Portal: card, plan, cancellation. */
export default async function LocalBillingPortalPage() {
  await requireUser("/billing/portal");
  if (env().BILLING_DRIVER !== "local") notFound();
  const { now, subscriptions } = await (await serverApi()).localBilling.portal();
  return (
    <div className="stack">
      <h1>Manage billing</h1>
      <p className="hint">Lyceum test billing portal — it stands in for Stripe&apos;s Customer Portal. Billing date: {formatDay(now)}.</p>
      {subscriptions.length === 0 ? <p className="card">No subscriptions yet.</p> : null}
      {subscriptions.map(({ instance, stored, plan, openInvoices }) => {
        const owed = openInvoices.reduce((sum, invoice) => sum + invoice.amountDue - invoice.amountPaid, 0);
        const card = !stored.hasPaymentMethod ? "none" : stored.cardDeclines ? "test card ending 0341 (declines)" : "test card ending 4242";
        return (
          <section key={stored.id} className="card stack" aria-label={`Subscription for ${instance.name}`}>
            <h2 className="mt-0">{instance.name}</h2>
            <dl className="grid grid-cols-2 gap-2">
              <dt>Status</dt>
              <dd>
                <SubscriptionBadge status={stored.status} />
              </dd>
              <dt>Plan</dt>
              <dd>
                {plan.name} · {formatPrice(plan.priceMonthlyCents)} / month
              </dd>
              <dt>{stored.status === "trialing" ? "Trial ends" : "Current period ends"}</dt>
              <dd>{formatDay(stored.status === "trialing" ? stored.trialEnd : stored.currentPeriodEnd)}</dd>
              <dt>Payment method</dt>
              <dd>{card}</dd>
              <dt>Amount due</dt>
              <dd>{owed > 0 ? <span className="error">{formatPrice(owed)} unpaid</span> : "nothing"}</dd>
            </dl>
            {stored.cancelAtPeriodEnd ? <p>This subscription ends on {formatDay(stored.currentPeriodEnd)}.</p> : null}
            {["canceled", "incomplete_expired"].includes(stored.status) ? (
              <p>This subscription has ended.</p>
            ) : (
              <PortalControls
                instanceId={instance.id}
                planId={plan.id}
                owesMoney={owed > 0}
                cancelAtPeriodEnd={stored.cancelAtPeriodEnd}
              />
            )}
          </section>
        );
      })}
      <p>
        <Link href="/billing">Back to billing</Link>
      </p>
    </div>
  );
}
