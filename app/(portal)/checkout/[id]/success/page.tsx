import Link from "next/link";
import { requireInstance, requireUser } from "@/server/auth/guards";
import { planById } from "@/server/billing/plans";
import { paidInstanceTrialDays } from "@/server/billing/trials";

/** Where Stripe Checkout sends the browser after payment. The webhook, not this page, starts provisioning. */
export default async function CheckoutSuccessPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/checkout/${id}/success`);
  const instance = await requireInstance(user, id, { role: "billing", staff: false });
  const plan = planById(instance.plan);
  const trialDays = await paidInstanceTrialDays(user, instance.id, plan);
  return (
    <div className="card stack max-w-lg">
      <h1>Thank you!</h1>
      <p>
        {trialDays
          ? `Your ${trialDays}-day free trial of the ${plan.name} plan has started.`
          : `Your payment for the ${plan.name} plan went through.`}{" "}
        As soon as Stripe confirms it to us, {instance.name} is set up — usually within seconds.
      </p>
      <p>
        <Link href={`/instances/${instance.id}`} className="button">
          Watch {instance.name} come up
        </Link>
      </p>
    </div>
  );
}
