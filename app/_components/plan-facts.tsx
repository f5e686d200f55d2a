// What a plan offers, one fact a line: the same words on the home page and in the wizard's Plan step. Spans
// shown as blocks, so a radio button's label (which may hold only phrasing content) can carry them too.
import type { Plan } from "@/server/billing/plans";

export function PlanFacts({ plan }: { plan: Plan }) {
  return (
    <span className="block">
      <span className="block text-slate-600">{plan.description}</span>
      {plan.trialDays ? <span className="block font-semibold text-teal-800">{plan.trialDays}-day free trial</span> : null}
      <span className="mt-2 block text-sm text-slate-600">Up to {plan.limits.learners.toLocaleString("en-US")} learners</span>
      <span className="block text-sm text-slate-600">Up to {plan.limits.courses.toLocaleString("en-US")} courses</span>
      <span className="block text-sm text-slate-600">{plan.limits.storageGb} GB storage</span>
    </span>
  );
}
