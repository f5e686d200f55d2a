// graphile-worker's recurring jobs, one line each in its crontab format: `<min> <hour> <dom> <month> <dow> <task> ?<opts>`.
// `fill=1d` runs a missed daily job once when the worker comes back within a day, instead of never.
// Every task named here must also be in jobs/tasks/index.ts.
export const CRONTAB_LINES: string[] = [
  // 03:17 UTC daily, off the hour that every other ACME client picks.
  "17 3 * * * renew_certificates ?fill=1d",
];

export const crontab = CRONTAB_LINES.join("\n");
