// graphile-worker's recurring jobs, one line each in its crontab format: `<min> <hour> <dom> <month> <dow> <task> ?<opts>`.
// The task is a JobName, so each has a task in jobs/tasks/index.ts (whose list must cover every JobName).
//
// No `fill` on the daily lines: with `?fill=1d`, tests/billing-lifecycle.test.ts's grace-period test stalled for a
// minute in 4 of 6 runs (its suspend_for_nonpayment job was picked up ~60 s late), and passed 6 of 6 without it.
// Each is an idempotent sweep, so a run missed while no worker was up is simply done by the next day's.
import type { JobName } from "@/server/queue/payloads";

function cronLine(schedule: string, job: JobName, options?: string) {
  return options ? `${schedule} ${job} ?${options}` : `${schedule} ${job}`;
}

export const CRONTAB_LINES: string[] = [
  // 03:17 UTC daily, off the hour that every other ACME client picks.
  cronLine("17 3 * * *", "renew_certificates"),
  // A safety net for changes no pipeline step synced (a server the reconcile job restarted on a new port, a
  // hand edit): unchanged, it reloads nothing. One job at a time (jobKey), whichever worker takes it.
  cronLine("* * * * *", "sync_load_balancer", "jobKey=sync_load_balancer&max=1"),
  // Operations whose worker died on the last attempt are failed (and their instance released) within a minute.
  cronLine("* * * * *", "fail_stranded_operations", "jobKey=fail_stranded_operations&max=1"),
  // A failed deprovision leaves resources that cost money: retried a few times (jobs/failed-deprovisions.ts).
  cronLine("*/15 * * * *", "retry_failed_deprovisions", "jobKey=retry_failed_deprovisions&max=1"),
  // Each instance keeps its active deployment and one fallback (server/deployments/retire.ts).
  cronLine("0 3 * * *", "terminate_obsolete_deployments"),
  // An upgrade's old deployment is its rollback's fallback for UPGRADE_FALLBACK_HOURS, then retired (jobs/upgrades/).
  cronLine("*/15 * * * *", "retire_upgrade_fallbacks", "jobKey=retire_upgrade_fallbacks&max=1"),
  // Fleet rollouts move on: each wave's upgrades settled, the threshold checked, the next upgrades started
  // (jobs/upgrades/advance-rollouts.ts). Windows are whole hours, so a minute's delay is nothing.
  cronLine("* * * * *", "advance_upgrade_rollouts", "jobKey=advance_upgrade_rollouts&max=1"),
  // Instances on an end-of-life release: told once, upgraded in their window after the deadline (jobs/upgrades/end-of-life.ts).
  cronLine("*/15 * * * *", "upgrade_end_of_life_instances", "jobKey=upgrade_end_of_life_instances&max=1"),
  // Orphans and ghosts: every backend against the ledger (server/reconcile/); staff are emailed findings.
  cronLine("30 3 * * *", "reconcile_resources"),
  // Billing as a desired state (server/billing/desired-state.ts): a cancelled suspension, a lost timer or a plan change
  // that never reached the servers is put right within five minutes. One run at a time, whichever worker takes it.
  cronLine("*/5 * * * *", "reassert_billing_state", "jobKey=reassert_billing_state&max=1"),
  // Daily backups, each instance at its own minute of the day (server/backups/schedule.ts); a busy instance waits
  // for the next run. One run at a time, whichever worker takes it.
  cronLine("*/15 * * * *", "schedule_backups", "jobKey=schedule_backups&max=1"),
  // Backups outside their plan's retention leave the backup store (jobs/backups/prune.ts).
  cronLine("45 4 * * *", "prune_backups", "jobKey=prune_backups&max=1"),
  // Instances suspended past their grace stop their servers (server/instances/suspended-servers.ts). Hourly, so a
  // busy instance is not left running another day.
  cronLine("23 * * * *", "stop_suspended_servers", "jobKey=stop_suspended_servers&max=1"),
  // Plan limits (server/usage/): storage, learners and courses measured daily; the storage quota is enforced here.
  cronLine("10 2 * * *", "measure_usage", "jobKey=measure_usage&max=1"),
  // Application servers failing their health checks too long are replaced (server/deployments/app-server-health.ts).
  cronLine("* * * * *", "check_app_servers", "jobKey=check_app_servers&max=1"),
  // Autoscaling samples every AUTOSCALE_SAMPLE_SECONDS, each run scheduling the next; this line restarts the chain
  // within a minute when a worker died holding it (server/deployments/autoscale.ts).
  cronLine("* * * * *", "autoscale_instances", "jobKey=autoscale_instances&max=1"),
];

export const crontab = CRONTAB_LINES.join("\n");
