// Who may cancel an operation from the instance's own pages (instances.cancel, settings.cancelChange): only what an
// owner started. Billing's suspensions, deprovisionings and plan changes, staff's actions and Lyceum's own operations
// are refused there with who started them and what to do instead; staff cancel those with the audited staff action
// (server/staff/actions/cancel-operation.ts), and billing's sweep re-asserts what billing wants afterwards.
import type { InstanceOperation, OperationKind, User } from "@/db/schema";
import { isStaff } from "@/server/auth/roles";
import { BILLING_REASONS } from "@/server/billing/operation-reasons";

type CancelTarget = Pick<InstanceOperation, "kind" | "initiator" | "reason">;

/** An operation someone asked to cancel from a page that may not cancel it; the message says who started it and why. */
export class OperationNotCancellableError extends Error {
  constructor(
    readonly operation: CancelTarget,
    message: string,
  ) {
    super(message);
  }
}

const NOUN: Record<OperationKind, string> = {
  provision: "provisioning",
  reconfigure: "reconfiguration",
  redeploy: "redeploy",
  suspend: "suspension",
  resume: "resumption",
  deprovision: "deprovisioning",
  backup: "backup",
  restore: "restore",
  replace_server: "server replacement",
  scale_out: "scaling out",
  scale_in: "scaling in",
  upgrade: "upgrade",
  rollback: "rollback",
};

const STARTED_BY: Record<Exclude<CancelTarget["initiator"], "owner">, string> = {
  billing: "billing",
  staff: "Lyceum staff",
  system: "Lyceum itself",
};

/** What the owner can do instead of cancelling, so the refusal is something they can act on. */
function ownerRemedy(operation: CancelTarget): string {
  if (operation.initiator === "staff") return "reply to Lyceum staff's email or contact support to have it stopped";
  if (operation.initiator === "system") return "it finishes on its own; contact support if it seems stuck";
  switch (operation.kind) {
    case "suspend":
      return operation.reason === BILLING_REASONS.subscriptionEnded
        ? "subscribe again to bring the site back"
        : "pay the open invoice and the site resumes";
    case "deprovision":
      return "the subscription ended and its retention period is over; contact support at once if you still need the data";
    case "reconfigure":
    case "redeploy":
      return "it applies the plan you are subscribed to; to run another plan, change the plan in billing";
    case "resume":
      return "it brings the site back now that the invoice is paid";
    case "provision":
      return "it sets up the instance you paid for";
    case "backup":
      return "it finishes on its own; the instance keeps serving meanwhile";
    case "restore":
      return "contact support: a restore stopped half-way leaves the data part old, part new";
    case "replace_server":
      return "it replaces a server that stopped answering; the others keep serving meanwhile";
    case "scale_out":
    case "scale_in":
      return "it follows the instance's load within its plan's range; the other servers keep serving meanwhile";
    case "upgrade":
      return "it finishes on its own; the old release keeps serving until the new one passes its health gate";
    case "rollback":
      return "contact support: a rollback stopped half-way may leave the data restored but the new release serving";
  }
}

/** "Billing: unpaid after the grace period." → "unpaid after the grace period". */
function shortReason(reason: string | null) {
  const text = reason?.replace(/^(Billing|Lyceum staff):\s*/, "").replace(/\.$/, "").trim();
  return text ? ` (${text})` : "";
}

/**
 * Refuses, with a message for the person asking, to cancel an operation the owner did not start. Staff asking
 * through the owner's pages are pointed at the audited staff action, which may cancel anything.
 */
export function assertCancellableFromInstancePage(operation: CancelTarget, actor: Pick<User, "role">) {
  if (operation.initiator === "owner") return;
  const started = `This ${NOUN[operation.kind]} was started by ${STARTED_BY[operation.initiator]}${shortReason(operation.reason)}`;
  throw new OperationNotCancellableError(
    operation,
    isStaff(actor)
      ? `${started}, so it is cancelled only with the audited "Cancel the running operation" action on the staff instance page.`
      : `${started}, so only ${STARTED_BY[operation.initiator]} can cancel it: ${ownerRemedy(operation)}.`,
  );
}
