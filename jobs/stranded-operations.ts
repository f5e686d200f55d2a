// Operations no job will ever run again. graphile-worker stops picking a job up once its attempts are used, so
// a worker that dies on the last attempt (SIGKILL, a shutdown, a busy instance, a database error while it
// recorded the failure) leaves the operation `running`, the instance mid-change, and the one-operation index
// blocking everything after it. The sweep fails such operations through the pipeline's own failure path.
import { sql } from "drizzle-orm";
import { db } from "@/db";
import type { InstanceOperation } from "@/db/schema";
import { metrics } from "@/server/observability/metrics";
import { logger } from "@/server/observability/logger";
import { failAbandonedOperation } from "./runner/runner";

/** An operation this young may still be between its insert and its job's first pick-up. */
const STRANDED_AFTER_SECONDS = 60;

type StrandedRow = { id: string; why: "no_job" | "attempts_used" };

async function findStrandedOperations(olderThanSeconds = STRANDED_AFTER_SECONDS): Promise<StrandedRow[]> {
  return db.execute<StrandedRow>(sql`
    select o.id, case when j.id is null then 'no_job' else 'attempts_used' end as why
    from instance_operations o
    left join graphile_worker._private_jobs j on j.key = 'operation:' || o.id::text
    where o.status in ('queued', 'running')
      and coalesce(o.started_at, o.created_at) < now() - make_interval(secs => ${olderThanSeconds})
      and (j.id is null or (j.attempts >= j.max_attempts and j.locked_at is null))`);
}

const REASONS: Record<StrandedRow["why"], string> = {
  no_job: "its job is gone (nothing will run it again)",
  attempts_used: "its worker stopped on the last attempt (killed, shut down or blocked) and no attempts are left",
};

/** Fails each stranded operation (Retry re-opens it); returns the ids it failed. */
export async function failStrandedOperations(olderThanSeconds?: number): Promise<string[]> {
  const failed: string[] = [];
  const stranded = await findStrandedOperations(olderThanSeconds);
  if (stranded.length === 0) return failed;
  // Every pipeline, with the steps and drivers they import, only when there is one to fail: this sweep runs every
  // minute, and an idle worker should not hold them all for it.
  const { PIPELINES } = await import("./pipelines/by-kind");
  for (const row of stranded) {
    const operation = await db.query.instanceOperations.findFirst({ where: (table, { eq }) => eq(table.id, row.id) });
    if (!operation) continue;
    const reason = `Stopped: ${REASONS[row.why]}. Press Retry to resume after the last completed step.`;
    if (await failAbandonedOperation(PIPELINES[operation.kind as InstanceOperation["kind"]], operation, reason)) {
      metrics().operationsStranded.inc({ kind: operation.kind });
      logger().warn({ instanceId: operation.instanceId, operationId: operation.id, why: row.why }, "failed a stranded operation");
      failed.push(operation.id);
    }
  }
  return failed;
}
