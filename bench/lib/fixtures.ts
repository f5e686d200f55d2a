// Accounts and instances made directly in the database (setup is not what is being measured).
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instances, users } from "@/db/schema";
import { createUser } from "@/server/accounts/users";
import { appendInstanceEvent } from "@/server/instances/events";
import { personalOrganisationOf } from "@/server/organisations/personal";

export const BENCH_PASSWORD = "bench password 1234";

export const suffix = () => randomUUID().slice(0, 8);

/** A client whose email address is verified (only verified accounts may pay). */
export async function benchUser() {
  const user = await createUser({ email: `bench-${suffix()}@example.org`, password: BENCH_PASSWORD });
  await db.update(users).set({ emailVerified: new Date() }).where(eq(users.id, user.id));
  return { ...user, emailVerified: new Date() };
}

/** A registration draft at its Domain step (no subdomain yet). */
export async function benchDraft(ownerId: string) {
  const [draft] = await db.insert(instances).values({ ownerId, organisationId: await personalOrganisationOf(db, ownerId), name: `Draft ${suffix()}`, status: "draft", wizardStep: "domain" }).returning();
  return draft!;
}

/** An instance whose registration is complete, waiting for payment. */
export async function benchInstance(ownerId: string, events = 0) {
  const [instance] = await db
    .insert(instances)
    .values({ ownerId, organisationId: await personalOrganisationOf(db, ownerId), name: `Bench ${suffix()}`, subdomain: `bench-${suffix()}`, plan: "starter", status: "awaiting_payment" })
    .returning();
  if (!instance) throw new Error("could not create the bench instance");
  for (let i = 0; i < events; i++) {
    await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `Setup event ${i + 1} of ${events}` });
  }
  return (await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))!;
}
