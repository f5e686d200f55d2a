// Every staff action, by name. Each is a `staff.*` tRPC procedure (server/api/routers/staff.ts) and a form
// on a staff page; each runs through runStaffAction (./framework.ts), which audits it.
//
// Retry and deprovision call the service functions in server/instances/actions.ts, which the owner's buttons
// on the instance page call too. To add an action: a file here with defineStaffAction (ownerNotice tells the owner), a line in STAFF_ACTIONS, a
// procedure in the staff router (staffActionProcedure), and a form in
// app/(staff)/staff/instances/[id]/instance-actions.tsx (StaffActionForm; `confirmText` for deprovision).
import { cancelOperation } from "./cancel-operation";
import { cleanUpOrphans } from "./clean-up-orphans";
import { deprovisionInstance } from "./deprovision";
import { redeployInstance } from "./redeploy";
import { requeueJob } from "./requeue-job";
import { retryFailedOperation } from "./retry-operation";
import { resumeInstance, suspendInstance } from "./suspend-resume";

export const STAFF_ACTIONS = {
  cancelOperation,
  requeueJob,
  retryFailedOperation,
  deprovisionInstance,
  suspendInstance,
  resumeInstance,
  redeployInstance,
  cleanUpOrphans,
} as const;

export const STAFF_ACTION_TITLES: Record<string, string> = Object.fromEntries(
  Object.values(STAFF_ACTIONS).map((action) => [action.name, action.title]),
);
