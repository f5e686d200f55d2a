// The domain error for a refused attempt; the API layer answers it with 429 and Retry-After.

export function waitText(seconds: number): string {
  if (seconds < 90) return `${seconds} ${seconds === 1 ? "second" : "seconds"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
}

export class RateLimitedError extends Error {
  constructor(
    /** What was refused, as it reads after "Too many", e.g. "new drafts". */
    readonly what: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`Too many ${what}. Try again in ${waitText(retryAfterSeconds)}.`);
  }
}
