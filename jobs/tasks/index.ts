// Every job name (server/queue/payloads.ts) has its task here, and nothing else is here: `satisfies` refuses a
// missing name and an unknown one alike (jobs/tasks/task-list.test.ts shows both).
//
// Each task's file is imported when its first job runs, so an idle worker holds neither the pipelines nor the
// drivers and libraries they reach (the bundled worker keeps each in a chunk of its own: scripts/build-worker.ts).
import type { Task } from "graphile-worker";
import type { JobName } from "@/server/queue/payloads";

/** The task `name` from its file, imported at its first job (import() caches the module after that). */
function onFirstJob<Name extends JobName>(name: Name, load: () => Promise<{ [K in Name]: Task }>): Task {
  return async (payload, helpers) => (await load())[name](payload, helpers);
}

export const taskList = {
  provision_instance: onFirstJob("provision_instance", () => import("./provision_instance")),
  deprovision_instance: onFirstJob("deprovision_instance", () => import("./deprovision_instance")),
  suspend_instance: onFirstJob("suspend_instance", () => import("./suspend_instance")),
  resume_instance: onFirstJob("resume_instance", () => import("./resume_instance")),
  reconfigure_instance: onFirstJob("reconfigure_instance", () => import("./reconfigure_instance")),
  redeploy_instance: onFirstJob("redeploy_instance", () => import("./redeploy_instance")),
  back_up_instance: onFirstJob("back_up_instance", () => import("./back_up_instance")),
  restore_instance: onFirstJob("restore_instance", () => import("./restore_instance")),
  replace_app_server: onFirstJob("replace_app_server", () => import("./replace_app_server")),
  scale_out_instance: onFirstJob("scale_out_instance", () => import("./scale_out_instance")),
  scale_in_instance: onFirstJob("scale_in_instance", () => import("./scale_in_instance")),
  autoscale_instances: onFirstJob("autoscale_instances", () => import("./autoscale_instances")),
  check_app_servers: onFirstJob("check_app_servers", () => import("./check_app_servers")),
  upgrade_instance: onFirstJob("upgrade_instance", () => import("./upgrade_instance")),
  roll_back_instance: onFirstJob("roll_back_instance", () => import("./roll_back_instance")),
  retire_upgrade_fallbacks: onFirstJob("retire_upgrade_fallbacks", () => import("./retire_upgrade_fallbacks")),
  advance_upgrade_rollouts: onFirstJob("advance_upgrade_rollouts", () => import("./advance_upgrade_rollouts")),
  upgrade_end_of_life_instances: onFirstJob("upgrade_end_of_life_instances", () => import("./upgrade_end_of_life_instances")),
  schedule_backups: onFirstJob("schedule_backups", () => import("./schedule_backups")),
  prune_backups: onFirstJob("prune_backups", () => import("./prune_backups")),
  stop_suspended_servers: onFirstJob("stop_suspended_servers", () => import("./stop_suspended_servers")),
  measure_usage: onFirstJob("measure_usage", () => import("./measure_usage")),
  reconcile_compute: onFirstJob("reconcile_compute", () => import("./reconcile_compute")),
  renew_certificates: onFirstJob("renew_certificates", () => import("./renew_certificates")),
  sync_load_balancer: onFirstJob("sync_load_balancer", () => import("./sync_load_balancer")),
  terminate_obsolete_deployments: onFirstJob("terminate_obsolete_deployments", () => import("./terminate_obsolete_deployments")),
  reconcile_resources: onFirstJob("reconcile_resources", () => import("./reconcile_resources")),
  clean_up_orphans: onFirstJob("clean_up_orphans", () => import("./clean_up_orphans")),
  send_email: onFirstJob("send_email", () => import("./send_email")),
  verify_domain: onFirstJob("verify_domain", () => import("./verify_domain")),
  process_stripe_event: onFirstJob("process_stripe_event", () => import("./process_stripe_event")),
  suspend_for_nonpayment: onFirstJob("suspend_for_nonpayment", () => import("./suspend_for_nonpayment")),
  deprovision_after_retention: onFirstJob("deprovision_after_retention", () => import("./deprovision_after_retention")),
  apply_plan_change: onFirstJob("apply_plan_change", () => import("./apply_plan_change")),
  reassert_billing_state: onFirstJob("reassert_billing_state", () => import("./reassert_billing_state")),
  deliver_local_billing_event: onFirstJob("deliver_local_billing_event", () => import("./deliver_local_billing_event")),
  fail_stranded_operations: onFirstJob("fail_stranded_operations", () => import("./fail_stranded_operations")),
  retry_failed_deprovisions: onFirstJob("retry_failed_deprovisions", () => import("./retry_failed_deprovisions")),
} satisfies Record<JobName, Task>;
