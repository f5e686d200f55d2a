// An instance's event log as a list, oldest first (the client's and the staff's instance pages).
import type { InstanceEvent } from "@/db/schema";
import { LocalTime } from "../local-time";

export function EventLog({ events, showDate = false, label = "Event log" }: { events: InstanceEvent[]; showDate?: boolean; label?: string }) {
  return (
    <ol className="timeline" data-testid="event-log" aria-label={label}>
      {events.map((event) => {
        const at = new Date(event.createdAt);
        return (
          <li key={event.seq} data-seq={event.seq} data-level={event.level} className={`level-${event.level}`}>
            <LocalTime value={at} shown={showDate ? "datetime" : "time"} isRelativeShown={false} className="time" />
            {showDate && event.step ? <span className="text-slate-500">{event.step}</span> : null}
            <span>{event.message}</span>
          </li>
        );
      })}
    </ol>
  );
}
