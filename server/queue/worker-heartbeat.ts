// How often each worker process records its heartbeat (jobs/crash-recovery.ts), and how old a heartbeat may
// be before the process counts as dead. The worker writes by these; the web process reads by them (the staff
// queue page, readiness, Prometheus discovery), so they live here, beside the other things both sides share.
export const HEARTBEAT_INTERVAL_MS = 15_000;
/** Three missed heartbeats. */
export const STALE_AFTER_MS = 45_000;
