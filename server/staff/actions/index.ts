// Every staff action, by name. Each is a `staff.*` tRPC procedure (server/api/routers/staff.ts) and a form
// on a staff page; each runs through runStaffAction (./framework.ts), which audits it.
//
// Extension points, wired once the operations they start exist (issues 4, 5 and 6):
// - retry_operation  (input { instanceId }): a failed instance → queued, startOperation(kind of the failed
//   one); the runner resumes after the last completed step. Refuse unless the instance is `failed`.
// - redeploy         (input { instanceId }): startOperation("redeploy") on a running instance.
// - suspend / resume (input { instanceId }): startOperation("suspend" | "resume"); refuse when billing says
//   otherwise (e.g. resume of an unpaid subscription) — read the subscription in `perform`.
// - deprovision      (input { instanceId, confirm }): call requireTypedConfirmation(instance, input.confirm)
//   first; refuse while an operation is active (activeOperation) — "deprovision while provisioning".
// For each: a file here with defineStaffAction (ownerNotice tells the owner), a line in STAFF_ACTIONS, a
// procedure in the staff router (staffActionProcedure), and a form in
// app/(staff)/staff/instances/[id]/instance-actions.tsx (StaffActionForm; `confirmText` for deprovision).
import { cancelOperation } from "./cancel-operation";
import { requeueJob } from "./requeue-job";

export const STAFF_ACTIONS = { cancelOperation, requeueJob } as const;

export const STAFF_ACTION_TITLES: Record<string, string> = Object.fromEntries(
  Object.values(STAFF_ACTIONS).map((action) => [action.name, action.title]),
);
