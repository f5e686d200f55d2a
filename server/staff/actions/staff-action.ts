// How every staff action runs: validate the input (a reason is required) → find what it concerns → check
// and write the intent (rows, jobs), with the audit entry, in one transaction. A refused action writes
// nothing but its audit entry, and says why; an unexpected error is recorded as failed.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { db, type Transaction } from "@/db";
import { auditLog, instances, type AuditOutcome, type Instance, type User } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { emailOwnerStaffAction } from "@/server/notifications/instance-emails";
import { logger } from "@/server/observability/logger";

export const actionReasonSchema = z
  .string({ error: "Give a reason: it goes into the audit log." })
  .trim()
  .min(3, "Give a reason of at least 3 characters: it goes into the audit log.")
  .max(500, "Keep the reason under 500 characters.");

/** Thrown by an action's `perform` when a check says no; the message is shown to the staff member as is. */
export class ActionRefusedError extends Error {}

export function refuse(message: string): never {
  throw new ActionRefusedError(message);
}

/**
 * For destructive actions (deprovision): the staff member types the instance's subdomain to confirm.
 * Call it first in `perform`; a mismatch is a refusal like any other.
 */
export function requireTypedConfirmation(instance: Pick<Instance, "subdomain">, typed: string | undefined) {
  if (!instance.subdomain || (typed ?? "").trim().toLowerCase() !== instance.subdomain.toLowerCase()) {
    refuse(`Type the subdomain "${instance.subdomain}" to confirm.`);
  }
}

export type ActionTarget = {
  /** The instance the action concerns, when there is one (shown on its page, used for the owner email). */
  instanceId: string | null;
  /** The rows it aims at, recorded in the audit entry (operation id, job id, …). */
  target: Record<string, unknown>;
};

export type ActionEffect = {
  /** What was done, for the audit log and the staff member ("requested cancellation of provision 3f2a…"). */
  summary: string;
  /** When the instance changes in a way its owner should hear of: an event in its log and an email. */
  ownerNotice?: { subject: string; text: string; event: string };
};

export type PerformContext<I> = { tx: Transaction; actor: User; input: I; reason: string; instance: Instance | null } & ActionTarget;

export type StaffAction<S extends z.ZodObject> = {
  /** Stored in audit_log.action. */
  name: string;
  /** What staff see on the button and in the audit log. */
  title: string;
  /** The action's own input; `reason` is added by the framework. */
  input: S;
  /** Finds what the action concerns, from the input (runs first, so even a refusal records it). */
  locate(tx: Transaction, input: z.infer<S>): Promise<ActionTarget>;
  /** Checks (calling refuse() when it must not happen), then writes the intent. */
  perform(ctx: PerformContext<z.infer<S>>): Promise<ActionEffect>;
};

/** The input of an action on one instance. */
export const instanceActionInput = z.object({ instanceId: z.uuid("That is not an instance id.") });

/** `locate` for an action whose input names its instance: the target is that instance. */
export async function locateInstanceById(_tx: Transaction, { instanceId }: { instanceId: string }): Promise<ActionTarget> {
  return { instanceId, target: { instanceId } };
}

export function defineStaffAction<S extends z.ZodObject>(action: StaffAction<S>): StaffAction<S> {
  return action;
}

/** The input schema a procedure exposes: the action's own fields plus the required reason. */
export function actionInputSchema<S extends z.ZodObject>(action: StaffAction<S>) {
  return action.input.extend({ reason: actionReasonSchema });
}

type ActionResult =
  | { outcome: "accepted"; auditId: string; summary: string }
  | { outcome: "refused"; auditId: string; message: string };

type ActionInput<S extends z.ZodObject> = z.infer<S> & { reason: string };

export async function runStaffAction<S extends z.ZodObject>(
  action: StaffAction<S>,
  actor: User,
  rawInput: ActionInput<S>,
): Promise<ActionResult> {
  const { reason, ...input } = actionInputSchema(action).parse(rawInput) as ActionInput<S>;
  const log = logger().child({ action: action.name, actorId: actor.id });
  let located: ActionTarget = { instanceId: null, target: {} };
  try {
    return await db.transaction(async (tx) => {
      located = await action.locate(tx, input as z.infer<S>);
      // The instance row is locked for the length of the action: two staff members acting on one
      // instance at once are serialised, and each check sees the other's result.
      const instance = located.instanceId
        ? ((await tx.select().from(instances).where(eq(instances.id, located.instanceId)).for("update"))[0] ?? null)
        : null;
      if (!instance) located = { ...located, instanceId: null };
      const record = async (outcome: AuditOutcome, detail: string) => {
        const [entry] = await tx
          .insert(auditLog)
          .values({ actorId: actor.id, actorEmail: actor.email, action: action.name, reason, outcome, detail, ...located })
          .returning({ id: auditLog.id });
        return entry!.id;
      };
      let effect: ActionEffect;
      try {
        // A savepoint: a refusal undoes whatever the action wrote before refusing, and only that.
        effect = await tx.transaction((sp) => action.perform({ tx: sp, actor, input: input as z.infer<S>, reason, instance, ...located }));
      } catch (error) {
        if (!(error instanceof ActionRefusedError)) throw error;
        log.info({ instanceId: located.instanceId, refusal: error.message }, "staff action refused");
        return { outcome: "refused" as const, auditId: await record("refused", error.message), message: error.message };
      }
      const auditId = await record("accepted", effect.summary);
      if (instance && effect.ownerNotice) {
        await appendInstanceEvent(tx, { instanceId: instance.id, kind: "log", level: "warn", message: effect.ownerNotice.event });
        await emailOwnerStaffAction(tx, instance, effect.ownerNotice);
      }
      log.info({ instanceId: located.instanceId, summary: effect.summary }, "staff action accepted");
      return { outcome: "accepted" as const, auditId, summary: effect.summary };
    });
  } catch (error) {
    // The transaction is gone; the attempt is still part of the record.
    const message = (error as Error).message;
    log.error({ err: error, instanceId: located.instanceId }, "staff action failed");
    await db
      .insert(auditLog)
      .values({ actorId: actor.id, actorEmail: actor.email, action: action.name, reason, outcome: "failed", detail: message, ...located })
      .catch((auditError: unknown) => log.error({ err: auditError }, "could not record the failed staff action"));
    throw error;
  }
}
