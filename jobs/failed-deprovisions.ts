// A deprovision that failed (a backend down for its retries) leaves an instance whose resources still exist and
// cost money, waiting for someone to press Retry. The sweep presses it: every 15 minutes it re-opens failed
// deprovisions that ended long enough ago, a few times each, after which staff (alerted on each failure) decide.
import { sql } from "drizzle-orm";
import { db } from "@/db";
import { retryOperation } from "@/server/instances/actions";
import { logger } from "@/server/observability/logger";

/** How long a failed deprovision rests before the sweep retries it (its backend may be back by then). */
const DEPROVISION_RETRY_AFTER_SECONDS = 15 * 60;
/** Automatic retries of one deprovision; after them it waits for a person. */
export const DEPROVISION_AUTOMATIC_RETRIES = 4;

/** Retries each failed deprovision due for it; returns the instance ids it re-queued. */
export async function retryFailedDeprovisions(restedSeconds = DEPROVISION_RETRY_AFTER_SECONDS): Promise<string[]> {
  const due = await db.execute<{ instance_id: string }>(sql`
    select o.instance_id
    from instance_operations o
    join instances i on i.id = o.instance_id and i.status = 'failed'
    where o.kind = 'deprovision' and o.status = 'failed'
      and o.finished_at < now() - make_interval(secs => ${restedSeconds})
      -- only the instance's latest operation: a later one (a restore, say) means someone chose otherwise
      and not exists (select 1 from instance_operations later where later.instance_id = o.instance_id and later.created_at > o.created_at)
      and (select count(*) from instance_events e where e.operation_id = o.id and e.data->>'retriedBy' = 'sweep') < ${DEPROVISION_AUTOMATIC_RETRIES}`);
  const retried: string[] = [];
  for (const { instance_id: instanceId } of due) {
    try {
      await retryOperation({ instanceId, actor: "sweep" });
      retried.push(instanceId);
    } catch (error) {
      // Someone acted meanwhile (Retry, a new operation): theirs stands.
      logger().info({ instanceId, err: error }, "left a failed deprovision alone");
    }
  }
  if (retried.length) logger().warn({ instanceIds: retried }, `retried ${retried.length} failed deprovision(s)`);
  return retried;
}
