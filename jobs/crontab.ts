// graphile-worker's recurring jobs, one line each in its crontab format: `<min> <hour> <dom> <month> <dow> <task> ?<opts>`.
// `fill=1d` runs a missed daily job once when the worker comes back within a day, instead of never.
// Every task named here must also be in jobs/tasks/index.ts.
export const CRONTAB_LINES: string[] = [
  // 03:17 UTC daily, off the hour that every other ACME client picks.
  "17 3 * * * renew_certificates",
  // A safety net for changes no pipeline step synced (a server the reconcile job restarted on a new port, a
  // hand edit): unchanged, it reloads nothing. One job at a time (jobKey), whichever worker takes it.
  "* * * * * sync_load_balancer ?jobKey=sync_load_balancer&max=1",
];

export const crontab = CRONTAB_LINES.join("\n");
