// The LMS tracking log (every learner event, what analytics and research read) leaves the disposable VM daily:
// logrotate rotates and compresses it, then rclone moves the rotated files into the instance's own bucket under the
// prefix whose lifecycle rule expires them. A file that fails to upload stays on the VM and goes with the next run.
import { OPENEDX_TRACKING_LOGS } from "@/server/infra/object-storage/tracking-logs-layout";
import type { DeployedConfig } from "./deployed-config";

/** Ubuntu's package (universe): an S3 client that takes its endpoint and credentials from one config file. */
export const TRACKING_LOG_SHIPPER_PACKAGE = "rclone";
/** The rclone remote that is the instance's bucket. */
const REMOTE = "instance-bucket";

/**
 * Where the instance's bucket keeps this VM's tracking logs: under the lifecycle rule's prefix, one folder per
 * deployment (an old and a new VM both ship during a redeploy, and their file names could meet).
 */
function trackingLogDestination(bucket: string, deploymentId: string): string {
  return `${bucket}/${OPENEDX_TRACKING_LOGS.prefix}${deploymentId}/`;
}

export function trackingLogFiles(options: {
  /** Tutor's project root: the LMS container's /openedx/data/logs is its data/lms/logs. */
  tutorRoot: string;
  /** Where the rclone configuration (it holds the instance's S3 secret) and the shipping script go. */
  root: string;
  deploymentId: string;
  storage: DeployedConfig["services"]["objectStorage"];
}) {
  const { tutorRoot, root, deploymentId, storage } = options;
  const logDir = `${tutorRoot}/data/lms/logs`;
  const rcloneConfig = `${root}/rclone.conf`;
  const shipScript = `${root}/ship-tracking-logs`;
  const endpoint = storage.endpoint ? [`endpoint = ${storage.endpoint}`] : [];
  const rcloneConf = [
    `[${REMOTE}]`,
    "type = s3",
    `provider = ${storage.endpoint ? "Other" : "AWS"}`,
    "env_auth = false",
    `access_key_id = ${storage.accessKeyId}`,
    `secret_access_key = ${storage.secretAccessKey}`,
    `region = ${storage.region}`,
    ...endpoint,
    `force_path_style = ${storage.forcePathStyle}`,
    // The instance's key reaches its own bucket only: rclone must not try to list or create buckets.
    "no_check_bucket = true",
    "",
  ].join("\n");
  const script = [
    "#!/bin/sh",
    "# Moves the rotated, compressed LMS tracking logs into the instance's bucket; what fails stays for the next run.",
    "set -eu",
    `exec rclone --config ${rcloneConfig} move ${logDir} ${REMOTE}:${trackingLogDestination(storage.bucket, deploymentId)} --include 'tracking.log-*.gz' --retries 5 --low-level-retries 10`,
    "",
  ].join("\n");
  const logrotate = [
    `${logDir}/tracking.log {`,
    "    daily",
    "    rotate 14",
    "    missingok",
    "    notifempty",
    "    compress",
    // Open edX writes through a WatchedFileHandler: it reopens (and creates) the file once it has been moved away.
    "    nocreate",
    "    dateext",
    // Seconds in the name: a forced rotation the same day does not overwrite the earlier file in the bucket.
    "    dateformat -%Y%m%d-%s",
    // After compression (a postrotate script would run before it): ships this rotation and any earlier leftovers.
    "    lastaction",
    `        ${shipScript}`,
    "    endscript",
    "}",
    "",
  ].join("\n");
  return [
    { path: rcloneConfig, owner: "root:root", permissions: "0600", content: rcloneConf },
    { path: shipScript, owner: "root:root", permissions: "0755", content: script },
    { path: "/etc/logrotate.d/lyceum-tracking-log", owner: "root:root", permissions: "0644", content: logrotate },
  ];
}
