// What still stands between a draft and payment, step by step: the review page lists it, submit enforces it.
import type { Instance, User, WizardStep } from "@/db/schema";
import { brandingInput } from "@/server/branding/branding";
import { PLAN_IDS } from "@/server/billing/plans";
import { emailSettingsSchema } from "@/server/mail/smtp-settings";
import { instanceProfileInput } from "./profile";
import { subdomainSchema } from "./subdomain";

type RegistrationProblem = { step: WizardStep | "account"; message: string };

/** Whether the instance's public contact address is proven: by the account when it is the account's own. */
export function isContactEmailVerified(instance: Pick<Instance, "contactEmail" | "contactEmailVerifiedAt">, owner: Pick<User, "email" | "emailVerified">) {
  if (!instance.contactEmail) return false;
  if (instance.contactEmail === owner.email) return owner.emailVerified !== null;
  return instance.contactEmailVerifiedAt !== null;
}

export function registrationProblems(instance: Instance, owner: Pick<User, "email" | "emailVerified">): RegistrationProblem[] {
  const problems: RegistrationProblem[] = [];
  const profile = instanceProfileInput.safeParse({
    name: instance.name,
    contactEmail: instance.contactEmail ?? "",
    description: instance.description,
    privacyPolicyUrl: instance.privacyPolicyUrl ?? "",
  });
  if (!profile.success) problems.push({ step: "instance", message: "Complete the Instance step." });
  if (!instance.subdomain || !subdomainSchema.safeParse(instance.subdomain).success) {
    problems.push({ step: "domain", message: "Choose a subdomain on the Domain step." });
  }
  const branding = instance.branding && instance.staticPages ? brandingInput.safeParse({ ...instance.branding, pages: instance.staticPages }) : null;
  if (!branding?.success) problems.push({ step: "branding", message: "Complete the Branding step." });
  if (!instance.emailSettings || !emailSettingsSchema.safeParse(instance.emailSettings).success) {
    problems.push({ step: "email", message: "Complete the Email step." });
  }
  if (!(PLAN_IDS as string[]).includes(instance.plan)) problems.push({ step: "plan", message: "Choose a plan." });
  if (!owner.emailVerified) {
    problems.push({ step: "account", message: "Confirm your account's email address first: open the link we emailed you." });
  }
  if (instance.contactEmail && !isContactEmailVerified(instance, owner) && instance.contactEmail !== owner.email) {
    problems.push({ step: "instance", message: `Confirm the contact address ${instance.contactEmail}: open the link we emailed to it.` });
  }
  return problems;
}
