// When the next DNS check of a custom domain runs: soon at first, then backing off, for up to 72 hours.
import type { Queryable } from "@/db";
import { enqueueJob } from "@/server/queue/enqueue";

export const VERIFY_FOR_MS = 72 * 60 * 60 * 1000;
const FIRST_DELAY_MS = 30_000;
const MAX_DELAY_MS = 60 * 60 * 1000;

/**
 * Delay before the next check, from how long checking has gone on: half of that, between 30 s and 1 h — so
 * the gaps double (30 s, 30 s, 1 min, 2 min, …) and a fresh record is found quickly, a forgotten one rarely.
 */
export function nextCheckDelayMs(elapsedMs: number): number {
  return Math.min(Math.max(FIRST_DELAY_MS, elapsedMs / 2), MAX_DELAY_MS);
}

/** Queues a check now (replacing a pending one: one job key per instance), e.g. "Check now". */
export async function scheduleDomainCheck(q: Queryable, instanceId: string, domain: string) {
  await enqueueJob(q, "verify_domain", { instanceId, domain }, { jobKey: `verify_domain:${instanceId}`, maxAttempts: 3 });
}

/** Queues the next check at `runAt`, unless one is already due sooner (a "Check now" made during this check). */
export async function scheduleNextDomainCheck(q: Queryable, instanceId: string, domain: string, runAt: Date) {
  await enqueueJob(q, "verify_domain", { instanceId, domain }, {
    jobKey: `verify_domain:${instanceId}`,
    jobKeyMode: "preserve_run_at",
    runAt,
    maxAttempts: 3,
  });
}
