// Every staff action, by name. Each is a tRPC procedure made by staffActionProcedure (`staff.*` in
// server/api/routers/staff.ts; `staffBilling.keepInstance`; the offline billing
// driver's `localBilling.*` controls) and a form on a staff page; each runs through
// runStaffAction (./staff-action.ts), which audits it.
//
// Retry and deprovision call the service functions in server/instances/actions.ts, which the owner's buttons
// on the instance page call too. To add an action: a file here with defineStaffAction (an action on one
// instance takes instanceActionInput and locateInstanceById; ownerNotice tells the owner), a line in
// STAFF_ACTIONS, a procedure in a staff router (staffActionProcedure, server/api/staff-action-procedure.ts),
// and a form in app/(staff)/staff/instances/[id]/instance-actions.tsx (StaffActionForm; `confirmText` for
// deprovision). server/api/staff-mutations-audited.test.ts lists every staff mutation and its action.
import { advanceBillingClock, cancelSubscriptionNow, retryPayment, setCardDeclines } from "./billing-simulation";
import { backUpInstance, cloneBackup, restoreInstance } from "./backups";
import { cancelOperation } from "./cancel-operation";
import { cleanUpOrphans } from "./clean-up-orphans";
import { deprovisionInstance } from "./deprovision";
import { keepInstance } from "./keep-instance";
import { redeployInstance } from "./redeploy";
import { requeueJob } from "./requeue-job";
import { retryFailedOperation } from "./retry-operation";
import { setAppServers } from "./set-app-servers";
import { resumeInstance, suspendInstance } from "./suspend-resume";
import { startUpgradeRollout, stopUpgradeRollout } from "./rollouts";
import { addRelease, changeRelease, rollbackInstance, upgradeInstance } from "./upgrades";

export const STAFF_ACTIONS = {
  cancelOperation,
  requeueJob,
  retryFailedOperation,
  deprovisionInstance,
  suspendInstance,
  resumeInstance,
  keepInstance,
  redeployInstance,
  setAppServers,
  backUpInstance,
  restoreInstance,
  cloneBackup,
  upgradeInstance,
  rollbackInstance,
  addRelease,
  changeRelease,
  startUpgradeRollout,
  stopUpgradeRollout,
  cleanUpOrphans,
  advanceBillingClock,
  setCardDeclines,
  retryPayment,
  cancelSubscriptionNow,
} as const;

export const STAFF_ACTION_TITLES: Record<string, string> = Object.fromEntries(
  Object.values(STAFF_ACTIONS).map((action) => [action.name, action.title]),
);
