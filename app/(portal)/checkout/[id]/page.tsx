import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { VerifyEmailNotice } from "@/app/_components/verify-email-notice";
import { requireInstance, requireUser } from "@/server/auth/guards";
import { formatPrice, planById } from "@/server/billing/plans";
import { checkoutTrialDays } from "@/server/billing/trials";
import { env } from "@/server/env";
import { PayButton } from "./pay-button";

/** The offline driver's checkout page (with Stripe configured, checkout happens on Stripe's site). */
export default async function LocalCheckoutPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/checkout/${id}`);
  if (env().BILLING_DRIVER !== "local") notFound();
  const instance = await requireInstance(user, id, { role: "billing", staff: false });
  if (instance.status !== "awaiting_payment") redirect(`/instances/${id}`);
  const plan = planById(instance.plan);
  const price = formatPrice(plan.priceMonthlyCents);
  // One free trial per account: a later instance is paid for from the start.
  const trialDays = await checkoutTrialDays(user, plan);
  return (
    <div className="card stack max-w-lg">
      <h1>Checkout</h1>
      <p className="hint">Lyceum test checkout — no card needed. Paying delivers Stripe-signed events to the portal.</p>
      <dl className="grid grid-cols-2 gap-2">
        <dt>Instance</dt>
        <dd>{instance.name}</dd>
        <dt>Subdomain</dt>
        <dd>{instance.subdomain}</dd>
        <dt>Plan</dt>
        <dd>{plan.name}</dd>
        <dt>Price</dt>
        <dd>{trialDays ? `${trialDays} days free, then ${price} / month` : `${price} / month`}</dd>
      </dl>
      {!user.emailVerified ? (
        <VerifyEmailNotice email={user.email} />
      ) : trialDays ? (
        <>
          <PayButton instanceId={instance.id} label="Start the free trial with a test card" />
          <PayButton instanceId={instance.id} label="Start the free trial without a card" withCard={false} isSecondary />
        </>
      ) : (
        <PayButton instanceId={instance.id} label={`Pay ${price}`} />
      )}
      <p>
        <Link href={`/checkout/${instance.id}/cancelled`}>Cancel and go back</Link>
      </p>
    </div>
  );
}
