// Job names and their payloads: the web adds jobs with these, the worker parses them with the same schemas.
import { z } from "zod";
import type { OperationKind } from "@/db/schema";
import { emailMessage } from "@/server/mail/message";

export const operationJobPayload = z.object({ operationId: z.uuid() });
const instanceJobPayload = z.object({ instanceId: z.uuid() });

export const jobPayloads = {
  provision_instance: operationJobPayload,
  deprovision_instance: operationJobPayload,
  reconfigure_instance: operationJobPayload,
  redeploy_instance: operationJobPayload,
  suspend_instance: operationJobPayload,
  resume_instance: operationJobPayload,
  back_up_instance: operationJobPayload,
  restore_instance: operationJobPayload,
  replace_app_server: operationJobPayload,
  scale_out_instance: operationJobPayload,
  scale_in_instance: operationJobPayload,
  /** Every minute (crontab): checks each application server's heartbeat and replaces one failing too long. */
  check_app_servers: z.object({}).passthrough(),
  upgrade_instance: operationJobPayload,
  roll_back_instance: operationJobPayload,
  /** Every quarter hour (crontab): retires the old deployments of upgrades whose fallback time is over. */
  retire_upgrade_fallbacks: z.object({}).passthrough(),
  /** Every minute (crontab) and when staff start a rollout: settles, stops or widens fleet rollouts. */
  advance_upgrade_rollouts: z.object({}).passthrough(),
  /** Every quarter hour (crontab): tells owners on an end-of-life release, then upgrades them after the deadline. */
  upgrade_end_of_life_instances: z.object({}).passthrough(),
  reconcile_compute: z.object({}).passthrough(),
  /** Daily (jobs/crontab.ts): renews every certificate we issued that expires within 30 days. */
  renew_certificates: z.object({}).passthrough(),
  /** Re-renders the load balancer from the database (crontab: catches what no pipeline step synced). */
  sync_load_balancer: z.object({}).passthrough(),
  terminate_obsolete_deployments: z.object({}).passthrough(),
  /** The cron's run has no payload; a staff member's "Run now" names them. */
  reconcile_resources: z.looseObject({ requestedBy: z.string().optional() }),
  clean_up_orphans: z.object({ reportId: z.uuid() }),
  send_email: emailMessage,
  /** Checks a custom domain's DNS records; `domain` guards against a job for a domain since replaced. */
  verify_domain: z.object({ instanceId: z.uuid(), domain: z.string().min(1) }),
  process_stripe_event: z.object({ eventId: z.string().min(1) }),
  suspend_for_nonpayment: instanceJobPayload,
  deprovision_after_retention: instanceJobPayload,
  apply_plan_change: instanceJobPayload,
  /** Every few minutes (jobs/crontab.ts): starts what billing wants and the instances do not reflect. */
  reassert_billing_state: z.object({}).passthrough(),
  deliver_local_billing_event: z.object({ event: z.looseObject({ id: z.string(), type: z.string() }) }),
  /** Every minute (crontab): fails operations whose job will never run again. */
  fail_stranded_operations: z.object({}).passthrough(),
  /** Every 15 minutes (crontab): re-queues failed deprovisions, a few times each. */
  retry_failed_deprovisions: z.object({}).passthrough(),
  /** Every quarter hour (crontab): starts the daily backups that are due (server/backups/schedule.ts). */
  schedule_backups: z.object({}).passthrough(),
  /** Daily (crontab): deletes backups outside their plan's retention (jobs/backups/prune.ts). */
  prune_backups: z.object({}).passthrough(),
  /** Hourly (crontab): stops the servers of instances suspended past SUSPENDED_SERVERS_STOP_AFTER_DAYS. */
  stop_suspended_servers: z.object({}).passthrough(),
  /** Daily (crontab): measures every instance's usage against its plan and enforces the storage quota. */
  measure_usage: z.object({}).passthrough(),
  /** Every AUTOSCALE_SAMPLE_SECONDS (it schedules its next run; the crontab restarts the chain): autoscaling. */
  autoscale_instances: z.object({}).passthrough(),
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;

/** Each kind of operation runs as the job of this name. */
export const OPERATION_JOB: Record<OperationKind, JobName> = {
  provision: "provision_instance",
  deprovision: "deprovision_instance",
  reconfigure: "reconfigure_instance",
  redeploy: "redeploy_instance",
  suspend: "suspend_instance",
  resume: "resume_instance",
  backup: "back_up_instance",
  restore: "restore_instance",
  replace_server: "replace_app_server",
  scale_out: "scale_out_instance",
  scale_in: "scale_in_instance",
  upgrade: "upgrade_instance",
  rollback: "roll_back_instance",
};
