// What every driver call takes. A step's work stops when its signal aborts (timeout, cancel, shutdown): a call
// that ignored it would go on after the runner gave the instance to the next operation, and create what that
// operation had just removed. Each call also has a limit of its own (DRIVER_CALL_TIMEOUT_SECONDS), so a service
// that accepts a request and never answers fails that call, not the whole step's time.
export type DriverCallOptions = {
  /** Aborts the call: its connection is reset, so nothing it sent can still run on the server afterwards. */
  signal?: AbortSignal;
};

/** A driver call's limit when configuration gives none (DRIVER_CALL_TIMEOUT_SECONDS). */
export const DEFAULT_DRIVER_CALL_TIMEOUT_MS = 30_000;

/** Both the caller's signal and a per-call time limit, as one signal. */
export function callSignal(options: DriverCallOptions | AbortSignal | undefined, timeoutMs: number): AbortSignal {
  const signal = options instanceof AbortSignal ? options : options?.signal;
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** The reason a signal aborted, as a sentence's end ("no answer within 30 s", "cancelled on request"). */
export function abortReason(signal: AbortSignal, timeoutMs: number): string {
  return reasonText(signal.reason, timeoutMs);
}

/**
 * When a client library rejected a call because its signal aborted (an AbortError carrying the reason as its
 * cause, or the TimeoutError itself), why, as a sentence's end; null for any other error.
 */
export function abortedCallReason(error: unknown, timeoutMs: number): string | null {
  const { name, cause } = (error ?? {}) as { name?: string; cause?: unknown };
  if (name === "TimeoutError") return reasonText(error, timeoutMs);
  if (name === "AbortError") return reasonText(cause ?? error, timeoutMs);
  return null;
}

function reasonText(reason: unknown, timeoutMs: number): string {
  const { name, message } = (reason ?? {}) as { name?: string; message?: string };
  if (name === "TimeoutError") return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  return message ?? "aborted";
}
