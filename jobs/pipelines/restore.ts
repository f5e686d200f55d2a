// Restore: a verified backup loaded into the instance, after its current state is backed up. On a serving
// instance only its data changes; a deprovisioned one (staff only) gets its resources and servers back, as in
// provisioning, before its data is loaded.
import { appendInstanceEvent } from "@/server/instances/events";
import { transitionInstance } from "@/server/instances/lifecycle";
import { takeBackupStep } from "../steps/backup";
import { ensureCertificates } from "../steps/certificates";
import { activateDeployment, bootServer, renderDeploymentConfig, waitForHeartbeat } from "../steps/deployment";
import { publishDns } from "../steps/dns";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import { ensureMysql } from "../steps/mysql";
import { ensureObjectStorage } from "../steps/object-storage";
import { ensureRabbitmq } from "../steps/rabbitmq";
import { ensureMongodb } from "../steps/mongodb";
import { onlyForDeletedInstance, restoreMongodb, restoreMysql, restoreObjects, restoreRabbitmq, verifyRestoreSource } from "../steps/restore";
import type { Pipeline } from "../runner/types";

export const restorePipeline: Pipeline = {
  kind: "restore",
  // Verification first: a corrupted backup stops the restore before anything changes. The data services are
  // ensured (a no-op on a serving instance) so that a deleted instance has somewhere to load into.
  steps: [
    verifyRestoreSource,
    takeBackupStep({ name: "backup_current", title: "Back up the current state", kind: "pre_restore" }),
    ensureMysql,
    ensureRabbitmq,
    ensureObjectStorage,
    ensureMongodb,
    restoreMysql,
    restoreRabbitmq,
    restoreObjects,
    restoreMongodb,
    ...[renderDeploymentConfig, bootServer, waitForHeartbeat, publishDns, ensureCertificates, activateDeployment, syncLoadBalancerStep].map(onlyForDeletedInstance),
  ],
  async onStart(tx, instance, operation) {
    if (instance.status === "deprovisioned" || instance.status === "queued") {
      await transitionInstance(tx, instance.id, "provisioning", { message: "Restoring the deleted instance: its resources are made again, then its data loaded.", operationId: operation.id });
    }
  },
  async onSuccess(tx, instance, operation) {
    if (instance.status === "provisioning") {
      await transitionInstance(tx, instance.id, "running", { message: "The instance is restored from its backup and running again.", operationId: operation.id });
      return;
    }
    await appendInstanceEvent(tx, { instanceId: instance.id, operationId: operation.id, kind: "log", level: "success", message: "The instance's data is restored from the backup." });
  },
  async onFailure(tx, instance, operation, error) {
    if (instance.status === "provisioning") {
      await transitionInstance(tx, instance.id, "failed", { message: `Restoring stopped: ${error.message}`, operationId: operation.id });
      return;
    }
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `The restore failed: ${error.message}. The state from before it is in the instance's pre-restore backup, when that step had finished.`,
    });
  },
};
