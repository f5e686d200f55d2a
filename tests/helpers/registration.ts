// Registers an instance the way a client does, through the wizard's procedures, up to "awaiting payment".
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instances, users, type User } from "@/db/schema";
import { defaultStaticPages } from "@/server/branding/static-pages";
import { submitRegistration } from "@/server/instances/draft";
import { appendInstanceEvent } from "@/server/instances/events";
import { personalOrganisationIdOf } from "@/server/organisations/personal";
import { apiAs, makeUser, uniqueSuffix } from "./accounts";

export async function makeVerifiedUser(role: User["role"] = "client"): Promise<User> {
  const user = await makeUser(role);
  const [verified] = await db.update(users).set({ emailVerified: new Date() }).where(eq(users.id, user.id)).returning();
  return verified!;
}

export const GOOD_BRANDING = {
  mainColor: "#0f766e",
  linkColor: "#115e59",
  headerBackground: "#1e3a8a",
  footerBackground: "#111827",
  acceptLowContrast: false,
  pages: defaultStaticPages(),
};

/** The Email step's values for the client's own SMTP server (as the form sends them: the port as text). */
export function ownSmtpValues(smtp: { host: string; port: number | string; tls?: "none" | "starttls" | "tls"; user?: string }, password = "") {
  return {
    relay: "own" as const,
    senderName: "Acme",
    senderAddress: "courses@acme.example",
    smtp: { tls: "starttls", user: "mailer", ...smtp, port: String(smtp.port) },
    password,
  };
}

export async function saveDraft(owner: User, options: { name?: string; subdomain?: string; plan?: "starter" | "growth" | "scale" } = {}) {
  const api = apiAs(owner);
  const { id } = await api.registration.saveInstance({
    values: {
      name: options.name ?? "Test Academy",
      contactEmail: owner.email,
      description: "Courses for testing.",
      privacyPolicyUrl: "https://example.org/privacy",
    },
  });
  await api.registration.saveDomain({ id, values: { subdomain: options.subdomain ?? `test-${uniqueSuffix()}` } });
  await api.registration.saveBranding({ id, values: GOOD_BRANDING });
  await api.registration.saveEmail({
    id,
    values: { relay: "platform", senderName: options.name ?? "Test Academy", senderAddress: "courses@example.org" },
  });
  await api.registration.savePlan({ id, values: { plan: options.plan ?? "starter" } });
  return id;
}

/** A complete registration, submitted: the instance waits for payment (no checkout started yet). */
export async function registerInstance(owner: User, options: Parameters<typeof saveDraft>[1] = {}) {
  const id = await saveDraft(owner, options);
  await submitRegistration(owner, id);
  const instance = await db.query.instances.findFirst({ where: (t, { eq }) => eq(t.id, id) });
  return instance!;
}

/**
 * An instance whose registration is complete, inserted directly (awaiting payment): for tests about what
 * happens after registration, where going through the wizard is not the point.
 */
export async function createInstance(ownerId: string, input: { name: string; subdomain: string; plan: "starter" | "growth" | "scale" }) {
  // Also for an account inserted directly rather than made by createUser (its personal organisation is made here).
  const owner = (await db.query.users.findFirst({ where: (t, { eq }) => eq(t.id, ownerId) }))!;
  const [instance] = await db
    .insert(instances)
    .values({ ownerId, organisationId: await personalOrganisationIdOf(db, owner), name: input.name, subdomain: input.subdomain, plan: input.plan, status: "awaiting_payment", wizardStep: "review" })
    .returning();
  await appendInstanceEvent(db, { instanceId: instance!.id, kind: "log", message: `Registered "${input.name}" at ${input.subdomain}; waiting for payment.` });
  return { ...instance!, subdomain: input.subdomain };
}
