// graphile-worker's recurring jobs, one line each in its crontab format: `<min> <hour> <dom> <month> <dow> <task> ?<opts>`.
// `fill=1d` runs a missed daily job once when the worker comes back within a day, instead of never.
// Every task named here must also be in jobs/tasks/index.ts.
export const CRONTAB_LINES: string[] = [
  // Each instance keeps its active deployment and one fallback (jobs/deployments/retire.ts).
  "0 3 * * * terminate_obsolete_deployments ?fill=1d",
  // Orphans and ghosts: every backend against the ledger (server/reconcile/); staff are emailed findings.
  "30 3 * * * reconcile_resources ?fill=1d",
];

export const crontab = CRONTAB_LINES.join("\n");
