// Makes the graphile-worker task that runs one kind of operation's pipeline.
import { sql } from "drizzle-orm";
import type { Task } from "graphile-worker";
import { db } from "@/db";
import { operationJobPayload } from "@/server/queue/payloads";
import { runOperation } from "../runner/runner";
import type { Pipeline } from "../runner/types";

export function operationTask(pipeline: Pipeline): Task {
  return async (payload, helpers) => {
    const { operationId } = operationJobPayload.parse(payload);
    try {
      await runOperation(
        pipeline,
        operationId,
        { number: helpers.job.attempts, maxAttempts: helpers.job.max_attempts },
        helpers.abortSignal,
      );
    } catch (error) {
      // A worker stopping gracefully hands its step to another worker: that is not a failed attempt. Without the
      // refund, each restart during a deploy would use one up, and a restart on the last one would strand the
      // operation. (graphile-worker gives an attempt back the same way when it returns unstarted jobs.)
      if (helpers.abortSignal?.aborted) {
        await db.execute(sql`update graphile_worker._private_jobs set attempts = greatest(0, attempts - 1) where id = ${helpers.job.id}`);
      }
      throw error;
    }
  };
}
