import type { Env } from "@/server/env";
import type { PipelineStep } from "./types";

class StepTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${Math.round(timeoutMs / 1000)} s`);
  }
}

export class OperationCancelledError extends Error {
  constructor() {
    super("cancelled on request");
  }
}

/**
 * Runs `work` with a signal that aborts when `timeoutMs` passes or `parent` aborts, and stops waiting at
 * that moment even if the work ignores its signal: a hung step must never hold the queue.
 */
export async function runWithDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  parent: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onParentAbort, { once: true });
  if (parent.aborted) controller.abort(parent.reason);
  const timer = setTimeout(() => controller.abort(new StepTimeoutError(timeoutMs)), timeoutMs);
  try {
    return await Promise.race([
      work(controller.signal),
      new Promise<never>((_, reject) => {
        const fail = () => reject(controller.signal.reason instanceof Error ? controller.signal.reason : new Error(String(controller.signal.reason)));
        if (controller.signal.aborted) fail();
        controller.signal.addEventListener("abort", fail, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener("abort", onParentAbort);
  }
}

/** The step's own limit (read from the configuration at run time when it depends on it), or STEP_TIMEOUT_SECONDS. */
export function stepTimeoutMs(step: Pick<PipelineStep, "timeoutMs">, config: Env): number {
  if (typeof step.timeoutMs === "function") return step.timeoutMs(config);
  return step.timeoutMs ?? config.STEP_TIMEOUT_SECONDS * 1000;
}
