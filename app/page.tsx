import Link from "next/link";
import { PlanFacts } from "@/app/_components/plan-facts";
import { formatPrice, PLANS } from "@/server/billing/plans";

export default function HomePage() {
  return (
    <div className="stack">
      <section className="py-8">
        <h1 className="text-4xl">Your own Open edX site, live in minutes.</h1>
        <p className="max-w-2xl text-lg text-slate-600">
          Pick a name, choose your plan and pay: Lyceum provisions a dedicated Open edX instance with its own
          databases, storage and domain, and you watch every step happen live.
        </p>
        <p className="mt-6">
          <Link href="/instances/new" className="button">
            Register your instance
          </Link>
        </p>
      </section>
      <section aria-labelledby="plans-heading">
        <h2 id="plans-heading">Plans</h2>
        <ul className="grid gap-4 md:grid-cols-3">
          {PLANS.map((plan) => (
            <li key={plan.id} className="card">
              <h3 className="text-lg font-semibold">{plan.name}</h3>
              <p className="text-2xl font-bold">
                {formatPrice(plan.priceMonthlyCents)}
                <span className="text-sm font-normal text-slate-500"> / month</span>
              </p>
              <PlanFacts plan={plan} />
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
