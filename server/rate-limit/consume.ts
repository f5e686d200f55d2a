// A sliding-window rate limit kept in Postgres, so it holds across every web process: at most `limit`
// attempts per key in any `windowMs`. The key's attempts are serialised by a transaction-scoped advisory lock.
import { and, asc, eq, lt, sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { rateLimitHits } from "@/db/schema";

export type RateLimitVerdict = { isAllowed: true } | { isAllowed: false; retryAfterSeconds: number };

/** Records an attempt under `key` if the limit allows it; otherwise says how long until it will. */
export async function consumeRateLimit(input: { key: string; limit: number; windowMs: number }, q: Queryable = db): Promise<RateLimitVerdict> {
  return q.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rate-limit:${input.key}`}, 0))`);
    const windowStart = sql`(now() - make_interval(secs => ${input.windowMs / 1000}))`;
    await tx.delete(rateLimitHits).where(and(eq(rateLimitHits.key, input.key), lt(rateLimitHits.hitAt, windowStart)));
    const recent = await tx
      .select({ secondsUntilFree: sql<number>`extract(epoch from ${rateLimitHits.hitAt} - ${windowStart})::float8` })
      .from(rateLimitHits)
      .where(eq(rateLimitHits.key, input.key))
      .orderBy(asc(rateLimitHits.hitAt));
    if (recent.length >= input.limit) {
      // The oldest attempt in the window frees a place when it leaves it.
      const oldest = recent[recent.length - input.limit]!;
      return { isAllowed: false, retryAfterSeconds: Math.max(1, Math.ceil(oldest.secondsUntilFree)) };
    }
    await tx.insert(rateLimitHits).values({ key: input.key });
    return { isAllowed: true };
  });
}
