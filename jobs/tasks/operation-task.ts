// Makes the graphile-worker task that runs one kind of operation's pipeline.
import type { Task } from "graphile-worker";
import { operationJobPayload } from "@/server/jobs/payloads";
import { runOperation } from "../pipeline/runner";
import type { Pipeline } from "../pipeline/types";

export function operationTask(pipeline: Pipeline): Task {
  return async (payload, helpers) => {
    const { operationId } = operationJobPayload.parse(payload);
    await runOperation(
      pipeline,
      operationId,
      { number: helpers.job.attempts, maxAttempts: helpers.job.max_attempts },
      helpers.abortSignal,
    );
  };
}
