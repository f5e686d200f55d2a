// The registration wizard's steps, in order, with their titles: the step indicator and the server agree.
import type { WizardStep } from "@/db/schema";

export const WIZARD_STEPS: { id: WizardStep; title: string }[] = [
  { id: "instance", title: "Instance" },
  { id: "domain", title: "Domain" },
  { id: "branding", title: "Branding" },
  { id: "email", title: "Email" },
  { id: "plan", title: "Plan" },
  { id: "review", title: "Review & pay" },
];

export const WIZARD_STEP_IDS = WIZARD_STEPS.map((step) => step.id) as [WizardStep, ...WizardStep[]];

export function stepIndex(step: WizardStep): number {
  return WIZARD_STEP_IDS.indexOf(step);
}

/** The furthest of two steps (saving step N unlocks N + 1, going back does not lock anything). */
export function furthestStep(a: WizardStep, b: WizardStep): WizardStep {
  return stepIndex(a) >= stepIndex(b) ? a : b;
}

export function nextStep(step: WizardStep): WizardStep {
  return WIZARD_STEP_IDS[Math.min(stepIndex(step) + 1, WIZARD_STEP_IDS.length - 1)]!;
}
