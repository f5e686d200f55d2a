// Saving the registration wizard's steps on the instance row (the row is the draft), and submitting it.
import { and, eq, sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { instances, type Instance, type User, type WizardStep } from "@/db/schema";
import { sendContactVerification } from "@/server/accounts/verification";
import type { BrandingInput, ImageSlot, AssetRef } from "@/server/branding/branding";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { encryptSecret } from "@/server/crypto/secrets";
import { claimInstanceHostnames, HostnameClaimError, portalHostnameOf } from "@/server/domains/hostname-claims";
import { ABUSE_LIMITS, abuseRules, enforceRateLimits } from "@/server/rate-limit/abuse-limits";
import { consumeRateLimits } from "@/server/rate-limit/consume";
import { scheduleDomainCheck } from "@/server/domains/verification-jobs";
import { env } from "@/server/env";
import { FieldRefusedError } from "@/server/forms/field-refused-error";
import type { PlanId } from "@/server/billing/plans";
import { smtpHostProblem } from "@/server/mail/smtp-host-check";
import type { EmailSettings } from "@/server/mail/smtp-settings";
import { personalOrganisationIdOf } from "@/server/organisations/personal";
import { InstanceNotFoundError, lockedInstanceFor } from "./access";
import { InstanceActionRefusedError } from "./actions";
import { appendInstanceEvent } from "./events";
import { transitionInstance } from "./lifecycle";
import type { InstanceProfileInput } from "./profile";
import { registrationProblems } from "./registration-check";
import { furthestStep, nextStep } from "./wizard-steps";

/** States in which the registration fields (name, domain, plan) can change: before payment. */
const REGISTRATION_EDITABLE = ["draft", "awaiting_payment"] as const;
/** States in which theme, pages and email can change (for a live instance: as a draft to apply). */
const SETTINGS_EDITABLE = ["draft", "awaiting_payment", "running", "suspended"] as const;

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint_name?: string; cause?: { code?: string; constraint_name?: string } };
  const pg = e.code ? e : e.cause;
  return pg?.code === "23505" && pg.constraint_name === constraint;
}

/** The draft is the owner's alone: locked for the update, and "not found" for anyone else (server/instances/access.ts). */
const lockOwned = (tx: Queryable, user: User, id: string) => lockedInstanceFor(tx, user, id, { role: "admin", staff: false });

function assertState(instance: Instance, allowed: readonly string[], what: string) {
  if (!allowed.includes(instance.status)) {
    throw new InstanceActionRefusedError(`The ${what} of an instance that is ${instance.status.replace("_", " ")} cannot be changed here.`);
  }
}

/** Back to draft if the client edits after reaching checkout: the review must be done again. */
async function reopenIfAwaitingPayment(tx: Queryable, instance: Instance) {
  if (instance.status === "awaiting_payment") {
    await transitionInstance(tx, instance.id, "draft", { message: "Registration reopened for changes." });
  }
}

function stepAfter(instance: Instance | null, saved: WizardStep): WizardStep {
  return instance ? furthestStep(instance.wizardStep, nextStep(saved)) : nextStep(saved);
}

/** Who is asking, for the per-address limits (null when unknown, e.g. a server-side call). */
type RequestOrigin = { clientIp: string | null };

/**
 * The rules for a confirmation email to an instance's contact address: per recipient, so no number of drafts
 * or accounts can flood one inbox, and per account, so one account cannot spray many inboxes.
 */
function contactConfirmationRules(user: User, contactEmail: string) {
  const limits = ABUSE_LIMITS.contactConfirmations;
  return abuseRules("contact-confirmations", [
    ["recipient", contactEmail, limits.perRecipient],
    ["account", user.id, limits.perAccount],
  ]);
}

/**
 * Which draft the Instance step saves: an existing one (`id`), or a new one made once per `creationKey` (the
 * wizard session's key: a doubled or retried first submit finds the draft the first one made).
 */
type InstanceStepTarget = { id?: string; creationKey?: string };

async function draftWithCreationKey(tx: Queryable, user: User, creationKey: string) {
  const [row] = await tx
    .select()
    .from(instances)
    .where(and(eq(instances.ownerId, user.id), eq(instances.creationKey, creationKey)))
    .for("update");
  return row ?? null;
}

export async function saveInstanceStep(user: User, target: InstanceStepTarget, input: InstanceProfileInput, origin: RequestOrigin = { clientIp: null }) {
  const { creationKey } = target;
  const isRepeat = !target.id && creationKey !== undefined && (await draftWithCreationKey(db, user, creationKey)) !== null;
  if (!target.id && !isRepeat) {
    const limits = ABUSE_LIMITS.newDrafts;
    await enforceRateLimits(
      "new drafts",
      abuseRules("new-drafts", [
        ["account", user.id, limits.perAccount],
        ["address", origin.clientIp, limits.perAddress],
      ]),
    );
  }
  return db.transaction(async (tx) => {
    const values = {
      name: input.name,
      contactEmail: input.contactEmail,
      description: input.description,
      privacyPolicyUrl: input.privacyPolicyUrl,
    };
    let created: Instance | undefined;
    if (!target.id) {
      // Of simultaneous submits with one key, the unique index lets one insert; the others wait for it to
      // commit, insert nothing, and save over the draft it made like any later step would.
      [created] = await tx
        .insert(instances)
        .values({ ownerId: user.id, organisationId: await personalOrganisationIdOf(tx, user), status: "draft", creationKey, ...values, wizardStep: nextStep("instance") })
        .onConflictDoNothing({ target: [instances.ownerId, instances.creationKey] })
        .returning();
    }
    const existing = created ? null : target.id ? await lockOwned(tx, user, target.id) : await draftWithCreationKey(tx, user, creationKey!);
    if (!created && !existing) throw new InstanceNotFoundError();
    if (existing) assertState(existing, REGISTRATION_EDITABLE, "details");
    const isContactChanged = existing?.contactEmail !== input.contactEmail;
    let instance: Instance;
    if (existing) {
      await reopenIfAwaitingPayment(tx, existing);
      [instance] = (await tx
        .update(instances)
        .set({
          ...values,
          ...(isContactChanged ? { contactEmailVerifiedAt: null } : {}),
          wizardStep: stepAfter(existing, "instance"),
          updatedAt: new Date(),
        })
        .where(eq(instances.id, existing.id))
        .returning()) as [Instance];
    } else {
      instance = created!;
      await appendInstanceEvent(tx, { instanceId: instance.id, kind: "log", message: `Registration of "${instance.name}" started.` });
    }
    // The account's own address is proven by the account's verification; another one needs its own link.
    // Over the limit the draft is still saved, unconfirmed: the wizard's "send again" says when it can.
    if (isContactChanged && input.contactEmail !== user.email && (await consumeRateLimits(contactConfirmationRules(user, input.contactEmail))).isAllowed) {
      await sendContactVerification(tx, user, { id: instance.id, name: instance.name, contactEmail: input.contactEmail });
    }
    return instance;
  });
}

export async function resendContactVerification(user: User, id: string) {
  return db.transaction(async (tx) => {
    const instance = await lockOwned(tx, user, id);
    if (!instance.contactEmail || instance.contactEmail === user.email || instance.contactEmailVerifiedAt) return { isSent: false };
    await enforceRateLimits("confirmation emails to this address", contactConfirmationRules(user, instance.contactEmail));
    await sendContactVerification(tx, user, { id: instance.id, name: instance.name, contactEmail: instance.contactEmail });
    return { isSent: true };
  });
}

export async function saveDomainStep(user: User, id: string, input: { subdomain: string; customDomain: string | null }) {
  try {
    return await db.transaction(async (tx) => {
      const existing = await lockOwned(tx, user, id);
      assertState(existing, REGISTRATION_EDITABLE, "domain");
      await reopenIfAwaitingPayment(tx, existing);
      const isDomainChanged = existing.customDomain !== input.customDomain;
      const now = new Date();
      const [instance] = await tx
        .update(instances)
        .set({
          subdomain: input.subdomain,
          customDomain: input.customDomain,
          ...(isDomainChanged
            ? {
                customDomainStatus: input.customDomain ? "pending" : null,
                customDomainProblem: null,
                customDomainCheckedAt: null,
                customDomainSince: input.customDomain ? now : null,
              }
            : {}),
          wizardStep: stepAfter(existing, "domain"),
          updatedAt: now,
        })
        .where(eq(instances.id, id))
        .returning();
      const config = env();
      await claimInstanceHostnames(tx, id, input, { baseDomain: config.LYCEUM_BASE_DOMAIN, portalHostname: portalHostnameOf(config.publicUrl) });
      if (isDomainChanged && input.customDomain) await scheduleDomainCheck(tx, id, input.customDomain);
      return instance!;
    });
  } catch (error) {
    if (error instanceof HostnameClaimError) throw new FieldRefusedError(error.field, error.message, error.isTaken);
    // The unique indexes decide races: of two simultaneous claims one commits, the other is told here.
    if (isUniqueViolation(error, "instances_subdomain_unique")) {
      throw new FieldRefusedError("subdomain", `"${input.subdomain}" is already taken. Choose another subdomain.`, true);
    }
    if (isUniqueViolation(error, "instances_custom_domain_unique")) {
      throw new FieldRefusedError("customDomain", "Another Lyceum instance already uses this domain.", true);
    }
    throw error;
  }
}

/** Asks for a DNS check of the custom domain now ("Check now"), instead of waiting for the next one. */
export async function checkDomainNow(user: User, id: string) {
  return db.transaction(async (tx) => {
    const instance = await lockOwned(tx, user, id);
    if (!instance.customDomain) throw new InstanceActionRefusedError("This instance has no custom domain to check.");
    if (instance.customDomainStatus === "failed") {
      // Starting over: another 72 hours of checks.
      await tx
        .update(instances)
        .set({ customDomainStatus: "pending", customDomainSince: new Date() })
        .where(eq(instances.id, id));
    }
    await scheduleDomainCheck(tx, id, instance.customDomain);
    return { isQueued: true };
  });
}

export async function saveBrandingStep(user: User, id: string, input: BrandingInput) {
  return db.transaction(async (tx) => {
    const existing = await lockOwned(tx, user, id);
    assertState(existing, SETTINGS_EDITABLE, "branding");
    await reopenIfAwaitingPayment(tx, existing);
    const { pages, ...colours } = input;
    const [instance] = await tx
      .update(instances)
      .set({
        branding: { ...existing.branding, ...colours },
        staticPages: pages,
        wizardStep: existing.status === "draft" || existing.status === "awaiting_payment" ? stepAfter(existing, "branding") : existing.wizardStep,
        updatedAt: new Date(),
      })
      .where(eq(instances.id, id))
      .returning();
    return instance!;
  });
}

/** Records an uploaded image (already checked and stored) in one of the branding slots, or clears the slot. */
export async function saveBrandingImage(user: User, id: string, slot: ImageSlot, asset: AssetRef | null) {
  return db.transaction(async (tx) => {
    const existing = await lockOwned(tx, user, id);
    assertState(existing, SETTINGS_EDITABLE, "branding");
    const [instance] = await tx
      .update(instances)
      .set({ branding: sql`coalesce(${instances.branding}, '{}'::jsonb) || ${JSON.stringify({ [slot]: asset })}::jsonb`, updatedAt: new Date() })
      .where(eq(instances.id, id))
      .returning();
    return instance!;
  });
}

export async function saveEmailStep(user: User, id: string, input: { settings: EmailSettings; password: string }) {
  // Looked up before the transaction: a slow DNS answer must not hold the instance's row lock.
  const hostProblem = input.settings.relay === "own" ? await smtpHostProblem(input.settings.smtp.host) : null;
  if (hostProblem) throw new FieldRefusedError("smtp.host", hostProblem);
  return db.transaction(async (tx) => {
    const existing = await lockOwned(tx, user, id);
    assertState(existing, SETTINGS_EDITABLE, "email settings");
    const { settings, password } = input;
    let smtpPasswordSealed: string | null = null;
    if (settings.relay === "own") {
      const isSameServer =
        existing.emailSettings?.relay === "own" &&
        existing.emailSettings.smtp.host === settings.smtp.host &&
        existing.emailSettings.smtp.user === settings.smtp.user;
      smtpPasswordSealed = password ? encryptSecret(password, sealedCells.smtpPassword(existing.id)) : isSameServer ? existing.smtpPasswordSealed : null;
      if (settings.smtp.user && !smtpPasswordSealed) {
        throw new FieldRefusedError("password", "Enter the password of this mail server user.");
      }
    }
    await reopenIfAwaitingPayment(tx, existing);
    const isChanged =
      JSON.stringify(existing.emailSettings) !== JSON.stringify(settings) || (password !== "" && settings.relay === "own");
    const [instance] = await tx
      .update(instances)
      .set({
        emailSettings: settings,
        smtpPasswordSealed,
        ...(isChanged ? { emailSettingsChangedAt: new Date() } : {}),
        wizardStep: existing.status === "draft" || existing.status === "awaiting_payment" ? stepAfter(existing, "email") : existing.wizardStep,
        updatedAt: new Date(),
      })
      .where(eq(instances.id, id))
      .returning();
    return instance!;
  });
}

export async function savePlanStep(user: User, id: string, plan: PlanId) {
  return db.transaction(async (tx) => {
    const existing = await lockOwned(tx, user, id);
    assertState(existing, REGISTRATION_EDITABLE, "plan");
    await reopenIfAwaitingPayment(tx, existing);
    const [instance] = await tx
      .update(instances)
      .set({ plan, wizardStep: stepAfter(existing, "plan"), updatedAt: new Date() })
      .where(eq(instances.id, id))
      .returning();
    return instance!;
  });
}

/** Review & pay: everything re-checked, then draft → awaiting payment. */
export async function submitRegistration(user: User, id: string) {
  return db.transaction(async (tx) => {
    const existing = await lockOwned(tx, user, id);
    if (existing.status === "awaiting_payment") return existing;
    assertState(existing, ["draft"], "registration");
    const problems = registrationProblems(existing, user);
    if (problems.length > 0) {
      throw new InstanceActionRefusedError(problems.map((problem) => problem.message).join(" "));
    }
    return transitionInstance(tx, id, "awaiting_payment", { message: `Registration of "${existing.name}" complete; waiting for payment.` });
  });
}
