// A sliding-window rate limit kept in Postgres, so it holds across every web process: at most `limit`
// attempts per key in any `windowMs`. The key's attempts are serialised by a transaction-scoped advisory lock.
import { and, asc, eq, inArray, lt, sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { rateLimitHits } from "@/db/schema";

export type RateLimitRule = { key: string; limit: number; windowMs: number };
type RateLimitVerdict = { isAllowed: true } | { isAllowed: false; retryAfterSeconds: number };
/** With several keys: the recorded attempts' ids, so an attempt that turns out not to count can be taken back. */
type RateLimitsVerdict = { isAllowed: true; hitIds: number[] } | { isAllowed: false; retryAfterSeconds: number };

/** Records an attempt under `key` if the limit allows it; otherwise says how long until it will. */
export async function consumeRateLimit(input: RateLimitRule, q: Queryable = db): Promise<RateLimitVerdict> {
  const verdict = await consumeRateLimits([input], q);
  return verdict.isAllowed ? { isAllowed: true } : verdict;
}

/**
 * Records one attempt under every rule's key (e.g. per account and per client address) if all of them allow it,
 * and none if any refuses; the wait is the longest of the refusals.
 */
export async function consumeRateLimits(rules: RateLimitRule[], q: Queryable = db): Promise<RateLimitsVerdict> {
  return q.transaction(async (tx) => {
    let retryAfterSeconds = 0;
    // Locks taken in key order, so two requests sharing keys cannot deadlock.
    for (const rule of [...rules].sort((a, b) => a.key.localeCompare(b.key))) {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rate-limit:${rule.key}`}, 0))`);
      const windowStart = sql`(now() - make_interval(secs => ${rule.windowMs / 1000}))`;
      await tx.delete(rateLimitHits).where(and(eq(rateLimitHits.key, rule.key), lt(rateLimitHits.hitAt, windowStart)));
      const recent = await tx
        .select({ secondsUntilFree: sql<number>`extract(epoch from ${rateLimitHits.hitAt} - ${windowStart})::float8` })
        .from(rateLimitHits)
        .where(eq(rateLimitHits.key, rule.key))
        .orderBy(asc(rateLimitHits.hitAt));
      if (recent.length >= rule.limit) {
        // The oldest attempt in the window frees a place when it leaves it.
        const oldest = recent[recent.length - rule.limit]!;
        retryAfterSeconds = Math.max(retryAfterSeconds, Math.max(1, Math.ceil(oldest.secondsUntilFree)));
      }
    }
    if (retryAfterSeconds > 0) return { isAllowed: false, retryAfterSeconds };
    const hits = await tx
      .insert(rateLimitHits)
      .values(rules.map((rule) => ({ key: rule.key })))
      .returning({ id: rateLimitHits.id });
    return { isAllowed: true, hitIds: hits.map((hit) => hit.id) };
  });
}

/** Takes back attempts recorded by consumeRateLimits (a log-in that succeeded is not a failed guess). */
export async function refundRateLimitHits(hitIds: number[], q: Queryable = db) {
  if (hitIds.length > 0) await q.delete(rateLimitHits).where(inArray(rateLimitHits.id, hitIds));
}
