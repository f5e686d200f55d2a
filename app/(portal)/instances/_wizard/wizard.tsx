// The registration wizard's frame: the step indicator and the current step's form.
import { DisabledUntilHydrated } from "@/app/_components/disabled-until-hydrated";
import type { WizardStep } from "@/db/schema";
import type { DraftView } from "@/server/instances/draft-view";
import { DomainStep } from "./domain-step";
import { InstanceStep } from "./instance-step";
import { PlanStep } from "./plan-step";
import { ReviewStep } from "./review-step";
import { BrandingStep, EmailStep } from "./settings-steps";
import { StepIndicator } from "./step-nav";

export function Wizard({ view, step, baseDomain, accountEmail }: { view: DraftView | null; step: WizardStep; baseDomain: string; accountEmail: string }) {
  return (
    <>
      <StepIndicator instanceId={view?.instance.id ?? null} current={step} furthest={view?.instance.wizardStep ?? "instance"} />
      <DisabledUntilHydrated>
        {step === "instance" || !view ? <InstanceStep view={view} accountEmail={accountEmail} /> : null}
        {view && step === "domain" ? <DomainStep view={view} baseDomain={baseDomain} /> : null}
        {view && step === "branding" ? <BrandingStep view={view} /> : null}
        {view && step === "email" ? <EmailStep view={view} /> : null}
        {view && step === "plan" ? <PlanStep view={view} /> : null}
        {view && step === "review" ? <ReviewStep view={view} /> : null}
      </DisabledUntilHydrated>
    </>
  );
}
