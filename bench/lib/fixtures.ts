// Accounts and instances made directly in the database (setup is not what is being measured).
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instances } from "@/db/schema";
import { createUser } from "@/server/accounts/users";
import { appendInstanceEvent } from "@/server/instances/events";
import { createInstance } from "@/server/instances/registration";

export const BENCH_PASSWORD = "bench password 1234";

export const suffix = () => randomUUID().slice(0, 8);

export async function benchUser() {
  return createUser({ email: `bench-${suffix()}@example.org`, password: BENCH_PASSWORD });
}

export async function benchInstance(ownerId: string, events = 0) {
  const instance = await createInstance(ownerId, { name: `Bench ${suffix()}`, subdomain: `bench-${suffix()}`, plan: "starter" });
  for (let i = 0; i < events; i++) {
    await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `Setup event ${i + 1} of ${events}` });
  }
  return (await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))!;
}
