// Claiming a subdomain and creating the instance record. The unique index on lower(subdomain) decides
// races: of two simultaneous claims one insert wins, the other finds nothing inserted and is told "taken".
import { sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { instances } from "@/db/schema";
import { appendInstanceEvent } from "./events";
import type { CreateInstanceInput } from "./input";

export class SubdomainTakenError extends Error {
  constructor(readonly subdomain: string) {
    super(`"${subdomain}" is already taken. Choose another subdomain.`);
  }
}

export async function createInstance(ownerId: string, input: CreateInstanceInput, q: Queryable = db) {
  return q.transaction(async (tx) => {
    const [instance] = await tx
      .insert(instances)
      .values({
        ownerId,
        name: input.name,
        subdomain: input.subdomain,
        plan: input.plan,
        status: "awaiting_payment",
      })
      .onConflictDoNothing()
      .returning();
    if (!instance) throw new SubdomainTakenError(input.subdomain);
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      kind: "log",
      message: `Registered "${instance.name}" at ${instance.subdomain}; waiting for payment.`,
    });
    return instance;
  });
}

export async function isSubdomainAvailable(subdomain: string, q: Queryable = db): Promise<boolean> {
  const rows = await q.execute(sql`select 1 from ${instances} where lower(subdomain) = lower(${subdomain}) limit 1`);
  return rows.length === 0;
}
