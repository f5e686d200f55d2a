// Changing a live instance: its edited settings (the draft, kept on the instance row) against what its
// active deployment runs, and the reconfigure operation that applies them.
import { and, eq, inArray } from "drizzle-orm";
import { db } from "@/db";
import { deployments, instanceOperations, type Instance, type User } from "@/db/schema";
import { brandingInput } from "@/server/branding/branding";
import { emailSettingsSchema } from "@/server/mail/smtp-settings";
import { instanceFor, lockedInstanceFor } from "./access";
import { InstanceActionRefusedError } from "./actions";
import { appendInstanceEvent } from "./events";
import { appliesChangesByRedeploying, startApplyingChanges } from "./apply-changes";
import { assertCancellableFromInstancePage } from "./operation-cancelling";
import { activeOperation, OperationInProgressError } from "./operations";
import { settingsDifferences, siteSettingsOf } from "./site-config";

/** Applying waits for the change or operation already running on the instance; the message says which. */
export class SettingsApplyBlockedError extends Error {}

/** What the owner's edits change against what runs (the caller has loaded the instance through the access path). */
export async function settingsComparison(instance: Instance) {
  const deployment = instance.activeDeploymentId
    ? await db.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId) })
    : undefined;
  const deployed = deployment?.config?.settings ?? null;
  const operation = await activeOperation(db, instance.id);
  return {
    differences: settingsDifferences(deployed, siteSettingsOf(instance)),
    activeOperation: operation
      ? { id: operation.id, kind: operation.kind, status: operation.status, isOwnersToCancel: operation.initiator === "owner" }
      : null,
  };
}

export async function applySettings(user: User, id: string) {
  return db.transaction(async (tx) => {
    const instance = await lockedInstanceFor(tx, user, id, { role: "admin", staff: false });
    if (instance.status !== "running") throw new InstanceActionRefusedError("Changes can be applied only while the instance is running.");
    // The same checks as the wizard's: a draft that no longer passes them is not deployed.
    const branding = brandingInput.safeParse({ ...instance.branding, pages: instance.staticPages });
    if (!branding.success) throw new InstanceActionRefusedError(`Branding: ${branding.error.issues[0]?.message}`, { cause: branding.error });
    const email = emailSettingsSchema.safeParse(instance.emailSettings);
    if (!email.success) throw new InstanceActionRefusedError(`Email: ${email.error.issues[0]?.message}`, { cause: email.error });
    try {
      const operation = await startApplyingChanges(tx, { instanceId: id, initiator: "owner", requestedBy: user.id, reason: "owner applied settings" });
      await appendInstanceEvent(tx, { instanceId: id, operationId: operation.id, kind: "log", message: "Your changes are queued." });
      return { operationId: operation.id };
    } catch (error) {
      if (error instanceof OperationInProgressError) {
        throw new SettingsApplyBlockedError(
          error.kind === "reconfigure" || (error.kind === "redeploy" && (await appliesChangesByRedeploying()))
            ? "Your previous changes are still being applied. Wait for them to finish, or cancel them, before applying again."
            : `A ${error.kind} is in progress on this instance. Apply your changes when it has finished.`,
        );
      }
      throw error;
    }
  });
}

/** The kind of operation that applies an owner's settings on this portal's compute driver. */
async function settingsOperationKind() {
  return (await appliesChangesByRedeploying()) ? ("redeploy" as const) : ("reconfigure" as const);
}

/** Cancels a queued change at once; a running one is asked to stop (its step sees the abort signal). */
export async function cancelSettingsChange(user: User, id: string) {
  await instanceFor(user, id, { role: "admin", staff: false });
  return db.transaction(async (tx) => {
    const [operation] = await tx
      .select()
      .from(instanceOperations)
      .where(and(eq(instanceOperations.instanceId, id), eq(instanceOperations.kind, await settingsOperationKind()), inArray(instanceOperations.status, ["queued", "running"])))
      .for("update");
    if (!operation) throw new InstanceActionRefusedError("There is no change in progress to cancel.");
    // A plan change billing applies is a reconfigure or redeploy too, and not the owner's to call off.
    assertCancellableFromInstancePage(operation, user);
    const now = new Date();
    if (operation.status === "queued") {
      await tx
        .update(instanceOperations)
        .set({ status: "cancelled", cancelRequestedAt: now, finishedAt: now })
        .where(eq(instanceOperations.id, operation.id));
      await appendInstanceEvent(tx, {
        instanceId: id,
        operationId: operation.id,
        kind: "operation_finished",
        level: "warn",
        message: `${operation.kind === "redeploy" ? "Redeploy" : "Reconfigure"} was cancelled before it started; your edits stay as a draft.`,
        data: { outcome: "cancelled" },
      });
      return { outcome: "cancelled" as const };
    }
    await tx.update(instanceOperations).set({ cancelRequestedAt: now }).where(eq(instanceOperations.id, operation.id));
    return { outcome: "cancelling" as const };
  });
}
