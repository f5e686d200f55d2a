// An instance's events from `afterSeq` on, then live as they are committed: no gap, no duplicate.
import { db } from "@/db";
import type { InstanceEvent } from "@/db/schema";
import { eventsAfter } from "@/server/instances/events";
import { instanceEventHub } from "./hub";

const PAGE = 500;

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
      const rows = await eventsAfter(db, instanceId, last, PAGE);
      for (const row of rows) {
        last = row.seq;
        yield row;
      }
      if (rows.length === PAGE) isStale = true;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
