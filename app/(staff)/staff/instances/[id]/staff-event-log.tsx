"use client";
// The staff view of an instance's event log: live like the client's page (same subscription and hook), with
// a level filter; events that change the instance re-render the server-side sections around it.
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { EventLog } from "@/app/_components/live/event-log";
import { useInstanceEvents } from "@/app/_components/live/use-instance-events";
import { StatusBadge } from "@/app/_components/status-badge";
import type { EventLevel, InstanceEvent, InstanceStatus } from "@/db/schema";

const SEVERITY: Record<EventLevel, number> = { debug: 0, info: 1, success: 1, warn: 2, error: 3 };
const LEVEL_FILTERS = [
  ["debug", "Everything (debug and up)"],
  ["info", "Info and up"],
  ["warn", "Warnings and errors"],
  ["error", "Errors only"],
] as const;
const CHANGES_PAGE: InstanceEvent["kind"][] = ["status_changed", "operation_started", "operation_finished"];

export function StaffEventLog({ instanceId, initialStatus, initialEvents }: {
  instanceId: string;
  initialStatus: InstanceStatus;
  initialEvents: InstanceEvent[];
}) {
  const router = useRouter();
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const { events, connection } = useInstanceEvents(instanceId, initialEvents, (event) => {
    if (!CHANGES_PAGE.includes(event.kind)) return;
    // Operations, deployments and actions are server-rendered: re-render them once a burst of events settles.
    if (refreshTimer.current) clearTimeout(refreshTimer.current);
    refreshTimer.current = setTimeout(() => router.refresh(), 300);
  });
  const [minimum, setMinimum] = useState<EventLevel>("debug");
  const shown = useMemo(() => events.filter((event) => SEVERITY[event.level] >= SEVERITY[minimum]), [events, minimum]);
  const status = useMemo(() => {
    const last = events.findLast((event) => event.kind === "status_changed");
    return ((last?.data as { to?: InstanceStatus } | null)?.to ?? initialStatus) as InstanceStatus;
  }, [events, initialStatus]);

  return (
    <section className="card stack" aria-labelledby="staff-events-heading">
      <div className="flex flex-wrap items-end gap-4">
        <h2 id="staff-events-heading" className="m-0">
          Event log
        </h2>
        <span data-testid="instance-status">
          <StatusBadge status={status} />
        </span>
        <div className="field">
          <label htmlFor="event-level">Level</label>
          <select id="event-level" value={minimum} onChange={(event) => setMinimum(event.target.value as EventLevel)}>
            {LEVEL_FILTERS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <span className="ml-auto text-xs text-slate-500" data-testid="live-connection">
          {connection}
        </span>
      </div>
      <p className="hint">
        Showing {shown.length} of {events.length} events.
      </p>
      <EventLog events={shown} showDate />
    </section>
  );
}
