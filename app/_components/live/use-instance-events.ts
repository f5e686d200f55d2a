"use client";
// An instance's event log, live: starts from the server-rendered events, then appends what the
// `instances.events` subscription (SSE) delivers. Shared by the client's and the staff's instance pages.
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceEvent } from "@/db/schema";

type LiveConnection = "live" | "connecting…" | "reconnecting…";

/** `onEvent` is called once for each event that arrives live (not for the initial ones). */
export function useInstanceEvents(
  instanceId: string,
  initialEvents: InstanceEvent[],
  onEvent?: (event: InstanceEvent) => void,
): { events: InstanceEvent[]; connection: LiveConnection } {
  const trpc = useTRPC();
  const [events, setEvents] = useState(initialEvents);
  // Only the first subscription uses this; on reconnect the SSE link resends the last tracked id itself.
  const [resumeFrom] = useState(() => String(initialEvents.at(-1)?.seq ?? 0));
  const subscription = useSubscription(
    trpc.instances.events.subscriptionOptions(
      { id: instanceId, lastEventId: resumeFrom },
      {
        onData: ({ data }) =>
          setEvents((current) => ((current.at(-1)?.seq ?? 0) >= data.seq ? current : [...current, data])),
      },
    ),
  );
  const announcedSeq = useRef(initialEvents.at(-1)?.seq ?? 0);
  useEffect(() => {
    const fresh = events.filter((event) => event.seq > announcedSeq.current);
    if (fresh.length === 0) return;
    announcedSeq.current = fresh.at(-1)!.seq;
    for (const event of fresh) onEvent?.(event);
  }, [events, onEvent]);
  const connection = subscription.status === "pending" ? "live" : subscription.status === "error" ? "reconnecting…" : "connecting…";
  return { events, connection };
}
