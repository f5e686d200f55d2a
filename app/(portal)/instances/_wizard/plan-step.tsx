"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { PlanFacts } from "@/app/_components/plan-facts";
import { useTRPC } from "@/app/_trpc/client";
import { formatPrice, PLANS, type PlanId } from "@/server/billing/plans";
import type { DraftView } from "@/server/instances/draft-view";
import { errorsFromCall, NO_ERRORS } from "./form-errors";
import { StepButtons, stepHref } from "./step-nav";
import { useSaveThenGo } from "./use-save-then-go";

export function PlanStep({ view }: { view: DraftView }) {
  const trpc = useTRPC();
  const { saveThenGo, isBusy } = useSaveThenGo();
  const [plan, setPlan] = useState(view.instance.plan as PlanId);
  const [errors, setErrors] = useState(NO_ERRORS);
  const save = useMutation(trpc.registration.savePlan.mutationOptions());

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    try {
      await saveThenGo(async () => {
        await save.mutateAsync({ id: view.instance.id, values: { plan } });
        return stepHref(view.instance.id, "review");
      });
    } catch (error) {
      setErrors(errorsFromCall(error));
    }
  }

  return (
    <form onSubmit={onSubmit} className="card stack" noValidate aria-label="Plan">
      <h2 id="plan-heading" className="mt-0">
        Plan
      </h2>
      <fieldset aria-labelledby="plan-heading" className="grid min-w-0 gap-4 md:grid-cols-3">
        {PLANS.map((option) => (
          <label key={option.id} className={`card block cursor-pointer ${plan === option.id ? "border-teal-700 ring-2 ring-teal-700" : ""}`}>
            <span className="flex items-center gap-2">
              <input type="radio" name="plan" value={option.id} checked={plan === option.id} onChange={() => setPlan(option.id)} />
              <span className="font-semibold">{option.name}</span>
            </span>
            <span className="mb-2 block">{formatPrice(option.priceMonthlyCents)} / month</span>
            <PlanFacts plan={option} />
          </label>
        ))}
      </fieldset>
      {errors.fields.plan ? <p className="error">{errors.fields.plan[0]}</p> : null}
      <StepButtons instanceId={view.instance.id} back="email" isBusy={isBusy} formError={errors.form} />
    </form>
  );
}
