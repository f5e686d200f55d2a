// What Open edX needs from the shared MySQL cluster: the one list that provisioning, the deployment config and
// teardown all read. Each service gets its own user, granted only its own databases.
export const OPENEDX_MYSQL_SERVICES = [
  // LMS and Studio; csmh is courseware-student-module history, split out because it grows fastest.
  { service: "edxapp", databases: ["edxapp", "edxapp_csmh"] },
  { service: "xqueue", databases: ["xqueue"] },
  // edx-notes-api
  { service: "notes", databases: ["notes"] },
  { service: "discovery", databases: ["discovery"] },
  { service: "ecommerce", databases: ["ecommerce"] },
  { service: "credentials", databases: ["credentials"] },
] as const;

/**
 * Users beside the per-service ones: `migrate` runs schema migrations on every database of the instance,
 * `readonly` serves reporting and support (SELECT only).
 */
export const OPENEDX_MYSQL_ROLES = ["migrate", "readonly"] as const;

export { OPENEDX_TRACKING_LOGS } from "@/server/infra/object-storage/tracking-logs-layout";
