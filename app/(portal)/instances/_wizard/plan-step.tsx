"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/app/_trpc/client";
import { formatPrice, PLANS, type PlanId } from "@/server/billing/plans";
import type { DraftView } from "@/server/instances/draft-view";
import { errorsFromCall, NO_ERRORS } from "./form-errors";
import { StepButtons, stepHref } from "./step-nav";

export function PlanStep({ view }: { view: DraftView }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [plan, setPlan] = useState(view.instance.plan as PlanId);
  const [errors, setErrors] = useState(NO_ERRORS);
  const save = useMutation(trpc.registration.savePlan.mutationOptions());

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    try {
      await save.mutateAsync({ id: view.instance.id, values: { plan } });
      router.push(stepHref(view.instance.id, "review"));
    } catch (error) {
      setErrors(errorsFromCall(error));
    }
  }

  return (
    <form onSubmit={onSubmit} className="card stack" noValidate aria-label="Plan">
      <fieldset className="grid gap-4 md:grid-cols-3">
        <legend className="mb-2 font-semibold">Plan</legend>
        {PLANS.map((option) => (
          <label key={option.id} className={`card stack cursor-pointer ${plan === option.id ? "border-teal-700 ring-2 ring-teal-700" : ""}`}>
            <span className="flex items-center gap-2">
              <input type="radio" name="plan" value={option.id} checked={plan === option.id} onChange={() => setPlan(option.id)} />
              <span className="font-semibold">{option.name}</span> — {formatPrice(option.priceMonthlyCents)} / month
            </span>
            <span className="text-sm text-slate-600">{option.description}</span>
            <span className="text-sm text-slate-600">
              Up to {option.limits.learners.toLocaleString("en-US")} learners, {option.limits.courses.toLocaleString("en-US")} courses,{" "}
              {option.limits.storageGb} GB storage
            </span>
          </label>
        ))}
      </fieldset>
      {errors.fields.plan ? <p className="error">{errors.fields.plan[0]}</p> : null}
      <StepButtons instanceId={view.instance.id} back="email" isBusy={save.isPending} formError={errors.form} />
    </form>
  );
}
