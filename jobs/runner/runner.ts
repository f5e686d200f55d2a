// Runs an operation's pipeline: records each step's start, end or error as instance events, skips steps an
// earlier attempt finished, and rethrows failures so graphile-worker retries with back-off.
import { and, eq, inArray, sql } from "drizzle-orm";
import { db } from "@/db";
import { instanceOperations, instances, operationSteps, type InstanceOperation } from "@/db/schema";
import { env } from "@/server/env";
import { infra } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { truncateErrorText } from "@/server/observability/error-text";
import { ledgerFor } from "@/server/instances/ledger";
import { alertStaffOperationFailed } from "@/server/notifications/instance-emails";
import { addLogContext } from "@/server/observability/log-context";
import { logger } from "@/server/observability/logger";
import { metrics } from "@/server/observability/metrics";
import { InstanceBusyError, PermanentStepError } from "./errors";
import { runStepWithFaults } from "./faults";
import { leaseInstance } from "./instance-lease";
import { OperationCancelledError, runWithDeadline, stepTimeoutMs } from "./timeout";
import type { Pipeline, StepContext } from "./types";

type Attempt = { number: number; maxAttempts: number };

const CANCEL_POLL_MS = 1000;

export async function runOperation(
  pipeline: Pipeline,
  operationId: string,
  attempt: Attempt,
  shutdownSignal: AbortSignal = new AbortController().signal,
  options: { leaseWaitMs?: number } = {},
): Promise<void> {
  const operation = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operationId) });
  if (!operation) throw new Error(`Operation ${operationId} does not exist`);
  if (operation.kind !== pipeline.kind) throw new Error(`Operation ${operationId} is a ${operation.kind}, not a ${pipeline.kind}`);
  addLogContext({ instanceId: operation.instanceId, operationId: operation.id });
  // A job for an operation that has ended (e.g. cancelled while queued) has nothing left to do.
  if (!isUnfinished(operation.status)) return;

  const lease = await leaseInstance(operation.instanceId, options.leaseWaitMs);
  if (!lease) throw new InstanceBusyError(operation.instanceId);
  const stillRunning: Promise<unknown>[] = [];
  try {
    await runLeased(pipeline, operation, attempt, shutdownSignal, stillRunning);
  } finally {
    if (stillRunning.length === 0) await lease.release();
    else {
      // A step that did not stop when told to may still create what the next operation (a deprovision) removes: the
      // instance stays leased until the step has really ended. The operation's outcome is recorded and the job
      // answers now (a hung step must not hold the worker's job slot); whatever asks for the instance meanwhile
      // finds it busy and is retried.
      void Promise.allSettled(stillRunning)
        .then(() => lease.release())
        .catch((error: unknown) => logger().error({ err: error, instanceId: operation.instanceId }, "could not release the instance lease"));
    }
  }
}

async function runLeased(
  pipeline: Pipeline,
  operation: InstanceOperation,
  attempt: Attempt,
  shutdownSignal: AbortSignal,
  stillRunning: Promise<unknown>[],
) {
  const started = await db.transaction(async (tx) => {
    const instance = await lockInstance(tx, operation.instanceId);
    // Re-read under the instance lock: a cancel or a second job may have ended the operation meanwhile.
    const [current] = await tx.select().from(instanceOperations).where(eq(instanceOperations.id, operation.id));
    if (!current || !isUnfinished(current.status)) return null;
    if (current.cancelRequestedAt) return { current, isCancelled: true };
    const isFirstStart = current.status === "queued";
    // Queued again after it had started: someone pressed Retry, and finished steps are skipped.
    const isResumed = isFirstStart && current.startedAt !== null;
    if (isFirstStart) {
      await tx
        .update(instanceOperations)
        .set({ status: "running", startedAt: current.startedAt ?? new Date() })
        .where(eq(instanceOperations.id, operation.id));
      await pipeline.onStart(tx, instance, current);
    }
    await appendInstanceEvent(tx, {
      instanceId: operation.instanceId,
      operationId: operation.id,
      kind: "operation_started",
      message: isResumed
        ? `${capitalize(operation.kind)} resumed on request: steps finished earlier are skipped.`
        : isFirstStart
          ? `${capitalize(operation.kind)} started.`
          : `${capitalize(operation.kind)}: attempt ${attempt.number} of ${attempt.maxAttempts}, resuming after the last completed step.`,
      data: { steps: pipeline.steps.map(({ name, title }) => ({ name, title })), attempt: attempt.number, isResumed },
    });
    return { current, isCancelled: false };
  });
  if (!started) return;
  if (started.isCancelled) return finish(pipeline, started.current, "cancelled", new OperationCancelledError());

  const finished = await db
    .select({ step: operationSteps.step })
    .from(operationSteps)
    .where(and(eq(operationSteps.operationId, operation.id), inArray(operationSteps.status, ["succeeded", "skipped"])));
  const done = new Set(finished.map((row) => row.step));

  const cancel = watchForCancellation(operation.id, shutdownSignal);
  try {
    for (const step of pipeline.steps) {
      if (done.has(step.name)) {
        await appendInstanceEvent(db, {
          instanceId: operation.instanceId,
          operationId: operation.id,
          kind: "step_skipped",
          step: step.name,
          level: "debug",
          message: `${step.title}: already done in an earlier attempt.`,
        });
        continue;
      }
      if (cancel.signal.aborted) {
        if (cancel.signal.reason instanceof OperationCancelledError) return await finish(pipeline, operation, "cancelled", cancel.signal.reason);
        throw cancel.signal.reason;
      }
      await recordStepStart(operation, step.name, step.title);
      const instance = (await db.query.instances.findFirst({ where: eq(instances.id, operation.instanceId) }))!;
      const ctx: StepContext = {
        instance,
        operation,
        signal: cancel.signal,
        ledger: ledgerFor(db, instance.id),
        infra: infra(),
        env: env(),
        db,
        log: async (message, level = "info") => {
          await appendInstanceEvent(db, {
            instanceId: instance.id,
            operationId: operation.id,
            kind: "log",
            step: step.name,
            level,
            message,
          });
        },
      };
      const timeoutMs = stepTimeoutMs(step, ctx.env);
      const startedAt = Date.now();
      try {
        const result = await runWithDeadline((signal) => runStepWithFaults(step, { ...ctx, signal }), timeoutMs, cancel.signal, (work) => {
          stillRunning.push(work);
          void ctx.log(`${step.title}: still running after it was told to stop; the instance stays locked until it ends.`, "warn").catch(() => {});
        });
        await recordStepEnd(operation, step.name, "succeeded", `${step.title}: ${result}`, null, Date.now() - startedAt);
      } catch (error) {
        const err = asError(error);
        const isCancelled = cancel.signal.reason instanceof OperationCancelledError;
        const isPermanent = err instanceof PermanentStepError;
        const isLastAttempt = attempt.number >= attempt.maxAttempts;
        const outcome = isCancelled
          ? "The operation was cancelled."
          : shutdownSignal.aborted
            ? "The worker is shutting down; another will resume this step."
            : isPermanent
              ? "Retrying will not help; fix the cause, then press Retry."
              : isLastAttempt
                ? "No attempts left."
                : `Will retry (attempt ${attempt.number + 1} of ${attempt.maxAttempts}).`;
        await recordStepEnd(
          operation,
          step.name,
          "failed",
          `${step.title} failed: ${err.message}. ${outcome}`,
          err.message,
          Date.now() - startedAt,
        );
        if (isCancelled) return await finish(pipeline, operation, "cancelled", err);
        if (shutdownSignal.aborted) throw err;
        if (isPermanent || isLastAttempt) await finish(pipeline, operation, "failed", err);
        // Finished for good: graphile-worker has nothing to retry (Retry on the page re-opens the operation).
        if (isPermanent) return;
        throw new Error(`${operation.kind} ${operation.instanceId}: step ${step.name} failed: ${err.message}`, { cause: err });
      }
    }
    await finish(pipeline, operation, "succeeded");
  } finally {
    cancel.stop();
  }
}

/**
 * Fails an operation that no job will run again: its worker died on the last attempt, or its job is gone. Takes
 * the instance's lease first, so an operation some live runner still holds is left alone; false when it was
 * left alone or had ended meanwhile.
 */
export async function failAbandonedOperation(pipeline: Pipeline, operation: InstanceOperation, reason: string): Promise<boolean> {
  const lease = await leaseInstance(operation.instanceId, 1_000);
  if (!lease) return false;
  try {
    return await finish(pipeline, operation, "failed", new Error(reason));
  } finally {
    await lease.release();
  }
}

async function finish(
  pipeline: Pipeline,
  operation: InstanceOperation,
  outcome: "succeeded" | "failed" | "cancelled",
  error?: Error,
): Promise<boolean> {
  const hasFinished = await db.transaction(async (tx) => {
    const instance = await lockInstance(tx, operation.instanceId);
    // Under the instance lock: only an unfinished operation is ended (once, whoever gets here first).
    const [current] = await tx.select({ status: instanceOperations.status }).from(instanceOperations).where(eq(instanceOperations.id, operation.id));
    if (!current || !isUnfinished(current.status)) return false;
    await tx
      .update(instanceOperations)
      .set({ status: outcome, finishedAt: new Date(), error: error ? truncateErrorText(error.message) : null })
      .where(eq(instanceOperations.id, operation.id));
    if (outcome === "succeeded") await pipeline.onSuccess(tx, instance, operation);
    else await pipeline.onFailure(tx, instance, operation, error ?? new Error(outcome));
    if (outcome === "failed") await alertStaffOperationFailed(tx, instance, operation, error ?? new Error(outcome));
    await appendInstanceEvent(tx, {
      instanceId: operation.instanceId,
      operationId: operation.id,
      kind: "operation_finished",
      level: outcome === "succeeded" ? "success" : "error",
      message:
        outcome === "succeeded"
          ? `${capitalize(operation.kind)} finished.`
          : outcome === "cancelled"
            ? `${capitalize(operation.kind)} was cancelled.`
            : `${capitalize(operation.kind)} failed: ${error?.message ?? "unknown error"}`,
      data: { outcome },
    });
    return true;
  });
  if (!hasFinished) return false;
  metrics().operationsFinished.inc({ kind: operation.kind, outcome });
  logger()[outcome === "succeeded" ? "info" : "warn"]({ kind: operation.kind, outcome, err: error }, `${operation.kind} ${outcome}`);
  return true;
}

async function lockInstance(tx: Parameters<Parameters<typeof db.transaction>[0]>[0], instanceId: string) {
  const [instance] = await tx.select().from(instances).where(eq(instances.id, instanceId)).for("update");
  if (!instance) throw new Error(`Instance ${instanceId} does not exist`);
  return instance;
}

// A step's row and its event are written by one statement each (see appendInstanceEvent's `alongside`):
// these writes are most of the runner's own cost per step.
async function recordStepStart(operation: InstanceOperation, step: string, title: string) {
  await appendInstanceEvent(
    db,
    { instanceId: operation.instanceId, operationId: operation.id, kind: "step_started", step, message: `${title}…` },
    sql`insert into ${operationSteps} (operation_id, step, status, attempts)
        values (${operation.id}, ${step}, 'running', 1)
        on conflict (operation_id, step) do update
        set status = 'running', attempts = ${operationSteps}.attempts + 1, started_at = now(), error = null, finished_at = null
        returning 1`,
  );
}

async function recordStepEnd(
  operation: InstanceOperation,
  step: string,
  status: "succeeded" | "failed",
  message: string,
  error: string | null,
  durationMs: number,
) {
  metrics().stepDuration.observe({ pipeline: operation.kind, step, outcome: status }, durationMs / 1000);
  if (status === "succeeded") logger().info({ step, durationMs }, message);
  else logger().warn({ step, durationMs, error }, message);
  await appendInstanceEvent(
    db,
    {
      instanceId: operation.instanceId,
      operationId: operation.id,
      kind: status === "succeeded" ? "step_succeeded" : "step_failed",
      step,
      level: status === "succeeded" ? "info" : "error",
      message,
      data: { durationMs },
    },
    sql`update ${operationSteps}
        set status = ${status}, result = ${status === "succeeded" ? truncateErrorText(message) : null},
            error = ${error === null ? null : truncateErrorText(error)}, finished_at = now()
        where operation_id = ${operation.id} and step = ${step}
        returning 1`,
  );
}

/** An abort signal that fires when someone requests cancellation of the operation, or the worker stops. */
function watchForCancellation(operationId: string, shutdownSignal: AbortSignal) {
  const controller = new AbortController();
  const onShutdown = () => controller.abort(shutdownSignal.reason ?? new Error("worker shutting down"));
  shutdownSignal.addEventListener("abort", onShutdown, { once: true });
  const timer = setInterval(async () => {
    try {
      const row = await db.query.instanceOperations.findFirst({
        columns: { cancelRequestedAt: true },
        where: eq(instanceOperations.id, operationId),
      });
      if (row?.cancelRequestedAt) controller.abort(new OperationCancelledError());
    } catch {
      // A missed poll is retried on the next tick.
    }
  }, CANCEL_POLL_MS);
  timer.unref();
  return {
    signal: controller.signal,
    stop() {
      clearInterval(timer);
      shutdownSignal.removeEventListener("abort", onShutdown);
    },
  };
}

function isUnfinished(status: InstanceOperation["status"]) {
  return status === "queued" || status === "running";
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function capitalize(value: string) {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
