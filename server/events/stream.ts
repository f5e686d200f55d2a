// An instance's events from `afterSeq` on, then live as they are committed: no gap, no duplicate.
import { db } from "@/db";
import type { InstanceEvent } from "@/db/schema";
import { eventsAfter } from "@/server/instances/events";
import { instanceEventHub } from "./hub";

const PAGE = 500;

type Page = { rows: InstanceEvent[]; isFull: boolean };
type Waiter = { after: number; resolve: (page: Page) => void; reject: (error: unknown) => void };

// One announcement wakes every stream of the instance at once; read separately, 10 000 streams made 10 000
// queries per event and queued behind the pool for seconds. Streams that ask within one turn of the event loop
// share one read from the lowest position among them, each keeping the rows after its own.
const waiting = new Map<string, Waiter[]>();
let reads = 0;

/** Reads of the events table made for streams so far (a test checks that streams share them). */
export function streamReadCount(): number {
  return reads;
}

function sharedRead(instanceId: string, after: number): Promise<Page> {
  return new Promise((resolve, reject) => {
    let waiters = waiting.get(instanceId);
    if (!waiters) {
      waiting.set(instanceId, (waiters = []));
      // After the wake-ups' microtasks: a read that starts later than a stream's wake-up sees what woke it.
      setImmediate(() => void readFor(instanceId));
    }
    waiters.push({ after, resolve, reject });
  });
}

async function readFor(instanceId: string) {
  const waiters = waiting.get(instanceId) ?? [];
  waiting.delete(instanceId);
  let from = Infinity;
  for (const waiter of waiters) from = Math.min(from, waiter.after);
  try {
    reads++;
    const rows = await eventsAfter(db, instanceId, from, PAGE);
    const isFull = rows.length === PAGE;
    for (const waiter of waiters) {
      waiter.resolve({ rows: waiter.after === from ? rows : rows.filter((row) => row.seq > waiter.after), isFull });
    }
  } catch (error) {
    for (const waiter of waiters) waiter.reject(error);
  }
}

export async function* streamInstanceEvents(
  instanceId: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncGenerator<InstanceEvent> {
  let last = afterSeq;
  let isStale = true; // read once at start, then whenever an event is announced
  let wake: (() => void) | null = null;
  const unsubscribe = instanceEventHub.subscribe(instanceId, () => {
    isStale = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    // Subscribed before the first read, so nothing committed in between is missed.
    await instanceEventHub.ready();
    while (!signal.aborted) {
      if (!isStale) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        continue;
      }
      isStale = false;
      // A full page read from behind this stream may end before its position: it reads again.
      const { rows, isFull } = await sharedRead(instanceId, last);
      for (const row of rows) {
        last = row.seq;
        yield row;
      }
      if (isFull) isStale = true;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
