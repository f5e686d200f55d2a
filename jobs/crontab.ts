// graphile-worker's recurring jobs, one line each in its crontab format: `<min> <hour> <dom> <month> <dow> <task> ?<opts>`.
// `fill=1d` runs a missed daily job once when the worker comes back within a day, instead of never.
// Every task named here must also be in jobs/tasks/index.ts.
//
// No `fill` on these two: with `?fill=1d` on them, tests/billing-lifecycle.test.ts's grace-period test stalled for a
// minute in 4 of 6 runs (its suspend_for_nonpayment job was picked up ~60 s late), and passed 6 of 6 without it.
// Both jobs are idempotent daily sweeps, so a missed run is simply done by the next day's.
export const CRONTAB_LINES: string[] = [
  // Each instance keeps its active deployment and one fallback (jobs/deployments/retire.ts).
  "0 3 * * * terminate_obsolete_deployments",
  // Orphans and ghosts: every backend against the ledger (server/reconcile/); staff are emailed findings.
  "30 3 * * * reconcile_resources",
];

export const crontab = CRONTAB_LINES.join("\n");
