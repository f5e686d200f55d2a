// Appending to and reading an instance's event log.
import { and, asc, eq, gt, sql, type SQL } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instanceEvents, instances, type EventKind, type EventLevel } from "@/db/schema";
import { truncateErrorText } from "@/server/observability/error-text";
import { scrubSecrets } from "@/server/observability/redact";

type NewInstanceEvent = {
  instanceId: string;
  operationId?: string | null;
  kind: EventKind;
  step?: string | null;
  level?: EventLevel;
  message: string;
  data?: Record<string, unknown> | null;
};

/**
 * Inserts an event with the instance's next sequence number. The message is scrubbed of the platform's and this
 * instance's known secrets: owners read these, and a step's error may quote a password. It is cut to
 * MAX_ERROR_TEXT_BYTES: a message that quotes a driver's error may be any size. Bumping the counter row-locks the instance
 * until commit, so events of one instance commit in sequence order (subscribers resume from seq > last).
 *
 * `alongside` is a data-modifying statement that must take effect with the event (e.g. a pipeline step's
 * row): it runs in the same statement, so the pair costs one round trip and one commit, not a transaction.
 */
export async function appendInstanceEvent(q: Queryable, event: NewInstanceEvent, alongside?: SQL) {
  const rows = await q.execute<{ id: number; seq: number }>(sql`
    with ${alongside ? sql`alongside as (${alongside}), ` : sql``}next as (
      update ${instances} set last_event_seq = last_event_seq + 1
      where id = ${event.instanceId}
      returning last_event_seq
    )
    insert into ${instanceEvents} (instance_id, seq, operation_id, kind, step, level, message, data)
    select ${event.instanceId}, next.last_event_seq, ${event.operationId ?? null}, ${event.kind}, ${event.step ?? null},
           ${event.level ?? "info"}, ${truncateErrorText(scrubSecrets(event.message, [event.instanceId]))}, ${event.data ? JSON.stringify(event.data) : null}::jsonb
    from next
    returning id, seq`);
  const row = rows[0];
  if (!row) throw new Error(`Instance ${event.instanceId} does not exist`);
  return { id: Number(row.id), seq: Number(row.seq) };
}

export async function eventsAfter(q: Queryable, instanceId: string, afterSeq: number, limit = 500) {
  return q
    .select()
    .from(instanceEvents)
    .where(and(eq(instanceEvents.instanceId, instanceId), gt(instanceEvents.seq, afterSeq)))
    .orderBy(asc(instanceEvents.seq))
    .limit(limit);
}
