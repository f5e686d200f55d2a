// What every driver call takes. A step's work stops when its signal aborts (timeout, cancel, shutdown): a call
// that ignored it would go on after the runner gave the instance to the next operation, and create what that
// operation had just removed.
export type DriverCallOptions = {
  /** Aborts the call: its connection is reset, so nothing it sent can still run on the server afterwards. */
  signal?: AbortSignal;
};

/** Both the caller's signal and a per-call time limit, as one signal. */
export function callSignal(options: DriverCallOptions | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
}

/** The reason a signal aborted, as a sentence's end ("timed out after 30 s", "cancelled on request"). */
export function abortReason(signal: AbortSignal, timeoutMs: number): string {
  const reason = signal.reason as { name?: string; message?: string } | undefined;
  if (reason?.name === "TimeoutError") return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  return reason?.message ?? "aborted";
}
