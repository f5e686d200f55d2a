/**
 * A failure that retrying will not fix (a refused quota, a wrong configuration, an injected permanent fault):
 * the runner fails the operation at once instead of letting graphile-worker try again with back-off. People
 * can still resume it with Retry once the cause is fixed.
 */
export class PermanentStepError extends Error {
  readonly isRetryable = false;
}

export class InstanceBusyError extends Error {
  constructor(instanceId: string) {
    super(`another worker has been running an operation on instance ${instanceId} for too long; this one waits its turn`);
  }
}
