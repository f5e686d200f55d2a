// The wizard's step indicator, and the Back / Next row under each step.
import Link from "next/link";
import { ErrorMessage } from "@/app/_components/error-message";
import type { WizardStep } from "@/db/schema";
import { stepIndex, WIZARD_STEPS } from "@/server/instances/wizard-steps";

export function stepHref(instanceId: string | null, step: WizardStep) {
  return instanceId ? `/instances/${instanceId}/setup?step=${step}` : "/instances/new";
}

export function StepIndicator({ instanceId, current, furthest }: { instanceId: string | null; current: WizardStep; furthest: WizardStep }) {
  return (
    <nav aria-label="Registration steps" className="mb-6">
      <ol className="wizard-steps">
        {WIZARD_STEPS.map((step, index) => {
          const isCurrent = step.id === current;
          const isReachable = instanceId !== null && index <= stepIndex(furthest);
          const label = `${index + 1}. ${step.title}`;
          return (
            <li key={step.id} data-state={isCurrent ? "current" : index < stepIndex(furthest) ? "done" : "todo"}>
              {isReachable && !isCurrent ? (
                <Link href={stepHref(instanceId, step.id)}>{label}</Link>
              ) : (
                <span aria-current={isCurrent ? "step" : undefined}>{label}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

/** Said once above a form whose required fields carry the "(required)" mark. */
export function RequiredFieldsNote() {
  return <p className="hint">Fields marked (required) must be filled in before you can continue.</p>;
}

export function StepButtons({
  instanceId,
  back,
  isBusy,
  nextLabel = "Save and continue",
  formError,
}: {
  instanceId: string | null;
  back: WizardStep | null;
  isBusy: boolean;
  nextLabel?: string;
  formError?: string | null;
}) {
  return (
    <>
      <ErrorMessage>{formError}</ErrorMessage>
      <div className="flex items-center gap-3">
        {back ? (
          <Link href={stepHref(instanceId, back)} className="button button-secondary">
            Back
          </Link>
        ) : null}
        <button type="submit" className="button" disabled={isBusy} aria-busy={isBusy}>
          {nextLabel}
        </button>
      </div>
    </>
  );
}
