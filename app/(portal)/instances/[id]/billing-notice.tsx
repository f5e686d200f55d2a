"use client";
// What the owner must know about billing on the instance page: a failed payment and its deadline, a
// suspension for non-payment, an ended subscription, a trial. Server-rendered first; the live part of the
// page refetches it when a billing event arrives.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { formatDay } from "@/app/_components/subscription-badge";
import { useTRPC } from "@/app/_trpc/client";
import type { AppRouter } from "@/server/api/root";
import type { inferRouterOutputs } from "@trpc/server";

type BillingView = inferRouterOutputs<AppRouter>["billing"]["forInstance"];

export function BillingNotice({ instanceId, initial }: { instanceId: string; initial: BillingView }) {
  const trpc = useTRPC();
  const { data: billing } = useQuery(trpc.billing.forInstance.queryOptions({ id: instanceId }, { initialData: initial, staleTime: Infinity }));
  if (!billing) return null;
  const manage = <Link href="/billing">Manage billing</Link>;
  if (billing.suspendedFor === "non_payment") {
    return (
      <section className="card card-warning" role="alert" aria-label="Billing">
        <strong>This site is suspended because an invoice is unpaid.</strong> Visitors see a maintenance page; all of its data
        is kept. It comes back by itself once the payment goes through. {manage}
      </section>
    );
  }
  if (billing.suspendAt) {
    return (
      <section className="card card-warning" role="alert" aria-label="Billing">
        <strong>Your last payment failed.</strong> Update your payment method by {formatDay(billing.suspendAt)}, or the site will be
        suspended. {manage}
      </section>
    );
  }
  if (billing.deprovisionAt) {
    return (
      <section className="card card-warning" role="alert" aria-label="Billing">
        <strong>The subscription has ended.</strong> The site is suspended; its data is kept until {formatDay(billing.deprovisionAt)}, then
        deleted.
      </section>
    );
  }
  if (billing.status === "trialing") {
    return (
      <section className="card" aria-label="Billing">
        Free trial of the {billing.plan.name} plan until {formatDay(billing.trialEndsAt)}. {manage}
      </section>
    );
  }
  if (billing.cancelAtPeriodEnd) {
    return (
      <section className="card" aria-label="Billing">
        The subscription ends on {formatDay(billing.currentPeriodEnd)}. {manage}
      </section>
    );
  }
  return null;
}
