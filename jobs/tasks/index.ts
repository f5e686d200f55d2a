// Every job name (server/queue/payloads.ts) has its task here, and nothing else is here: `satisfies` refuses a
// missing name and an unknown one alike (jobs/tasks/task-list.test.ts shows both).
import type { Task } from "graphile-worker";
import type { JobName } from "@/server/queue/payloads";
import { back_up_instance } from "./back_up_instance";
import { deprovision_instance } from "./deprovision_instance";
import { restore_instance } from "./restore_instance";
import { replace_app_server } from "./replace_app_server";
import { scale_out_instance } from "./scale_out_instance";
import { scale_in_instance } from "./scale_in_instance";
import { autoscale_instances } from "./autoscale_instances";
import { check_app_servers } from "./check_app_servers";
import { retire_upgrade_fallbacks } from "./retire_upgrade_fallbacks";
import { advance_upgrade_rollouts } from "./advance_upgrade_rollouts";
import { upgrade_end_of_life_instances } from "./upgrade_end_of_life_instances";
import { roll_back_instance } from "./roll_back_instance";
import { upgrade_instance } from "./upgrade_instance";
import { prune_backups } from "./prune_backups";
import { stop_suspended_servers } from "./stop_suspended_servers";
import { measure_usage } from "./measure_usage";
import { schedule_backups } from "./schedule_backups";
import { apply_plan_change } from "./apply_plan_change";
import { deliver_local_billing_event } from "./deliver_local_billing_event";
import { fail_stranded_operations } from "./fail_stranded_operations";
import { retry_failed_deprovisions } from "./retry_failed_deprovisions";
import { deprovision_after_retention } from "./deprovision_after_retention";
import { process_stripe_event } from "./process_stripe_event";
import { reassert_billing_state } from "./reassert_billing_state";
import { provision_instance } from "./provision_instance";
import { reconcile_compute } from "./reconcile_compute";
import { reconcile_resources } from "./reconcile_resources";
import { clean_up_orphans } from "./clean_up_orphans";
import { reconfigure_instance } from "./reconfigure_instance";
import { renew_certificates } from "./renew_certificates";
import { redeploy_instance } from "./redeploy_instance";
import { resume_instance } from "./resume_instance";
import { send_email } from "./send_email";
import { terminate_obsolete_deployments } from "./terminate_obsolete_deployments";
import { suspend_for_nonpayment } from "./suspend_for_nonpayment";
import { suspend_instance } from "./suspend_instance";
import { sync_load_balancer } from "./sync_load_balancer";
import { verify_domain } from "./verify_domain";

export const taskList = {
  provision_instance,
  deprovision_instance,
  suspend_instance,
  resume_instance,
  reconfigure_instance,
  redeploy_instance,
  back_up_instance,
  restore_instance,
  replace_app_server,
  scale_out_instance,
  scale_in_instance,
  autoscale_instances,
  check_app_servers,
  upgrade_instance,
  roll_back_instance,
  retire_upgrade_fallbacks,
  advance_upgrade_rollouts,
  upgrade_end_of_life_instances,
  schedule_backups,
  prune_backups,
  stop_suspended_servers,
  measure_usage,
  reconcile_compute,
  renew_certificates,
  sync_load_balancer,
  terminate_obsolete_deployments,
  reconcile_resources,
  clean_up_orphans,
  send_email,
  verify_domain,
  process_stripe_event,
  suspend_for_nonpayment,
  deprovision_after_retention,
  apply_plan_change,
  reassert_billing_state,
  deliver_local_billing_event,
  fail_stranded_operations,
  retry_failed_deprovisions,
} satisfies Record<JobName, Task>;
