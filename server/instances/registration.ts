// Subdomain availability as the client types. The unique index on lower(subdomain) is what decides races
// (server/instances/draft.ts saves the claim); this answer is only advice.
import { sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { instances } from "@/db/schema";

/** Free, or held by `exceptInstanceId` itself (a draft re-saving its own subdomain). */
export async function isSubdomainAvailable(subdomain: string, exceptInstanceId?: string, q: Queryable = db): Promise<boolean> {
  const rows = await q.execute(
    sql`select 1 from ${instances} where lower(subdomain) = lower(${subdomain}) ${exceptInstanceId ? sql`and id <> ${exceptInstanceId}` : sql``} limit 1`,
  );
  return rows.length === 0;
}
