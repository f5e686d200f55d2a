// The local billing clock: real time plus an offset that staff advance to try a month of billing in a minute.
import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { localBillingClock } from "@/db/schema";

export const DAY_MS = 24 * 60 * 60 * 1000;

async function localClockOffsetMs(q: Queryable): Promise<number> {
  const [row] = await q.select({ offsetMs: localBillingClock.offsetMs }).from(localBillingClock).limit(1);
  return row?.offsetMs ?? 0;
}

export async function localBillingNow(q: Queryable): Promise<Date> {
  return new Date(Date.now() + (await localClockOffsetMs(q)));
}

/** Moves the clock forward (never back: Stripe's test clocks only advance) and returns the new time. */
export async function advanceLocalClock(q: Queryable, byMs: number): Promise<Date> {
  if (!(byMs > 0)) throw new Error("The billing clock only moves forward.");
  const [row] = await q
    .insert(localBillingClock)
    .values({ id: 1, offsetMs: byMs })
    .onConflictDoUpdate({
      target: localBillingClock.id,
      set: { offsetMs: sql`${localBillingClock.offsetMs} + ${byMs}`, updatedAt: new Date() },
    })
    .returning({ offsetMs: localBillingClock.offsetMs });
  return new Date(Date.now() + row!.offsetMs);
}

/** One calendar month later, as Stripe's monthly billing periods run. */
export function addMonth(date: Date): Date {
  const next = new Date(date);
  next.setUTCMonth(next.getUTCMonth() + 1);
  return next;
}
