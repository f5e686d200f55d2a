// Rollback: the instance goes back to the release it ran before its last upgrade, on the deployment kept as the
// fallback. When the upgrade's migrations changed the databases, the pre-upgrade backup is restored first (after a
// backup of the current state, as every restore does); otherwise it is a plain switch.
import { appendInstanceEvent } from "@/server/instances/events";
import { takeBackupStep } from "../steps/backup";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import { restoreMysql, restoreObjects, restoreRabbitmq, verifyRestoreSource } from "../steps/restore";
import { checkFallback, onlyWhenRestoring, retireUpgradedDeployment, switchBack } from "../steps/rollback";
import type { Pipeline } from "../runner/types";

export const rollbackPipeline: Pipeline = {
  kind: "rollback",
  steps: [
    checkFallback,
    ...[
      verifyRestoreSource,
      takeBackupStep({ name: "backup_current", title: "Back up the current state", kind: "pre_restore" }),
      restoreMysql,
      restoreRabbitmq,
      restoreObjects,
    ].map(onlyWhenRestoring),
    switchBack,
    syncLoadBalancerStep,
    retireUpgradedDeployment,
  ],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: operation.backupId
        ? "Rolled back: the pre-upgrade backup is restored and the previous release serves again."
        : "Rolled back: the previous release serves again.",
    });
  },
  async onFailure(tx, instance, operation, error) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `The rollback failed: ${error.message}. Whichever deployment the log says serves, serves; the state from before the rollback is in its pre-restore backup when that step had finished.`,
    });
  },
};
