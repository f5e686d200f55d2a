// What people can ask of an instance's backups: take one now, restore one. Service functions, called by the tRPC
// procedures (owner) and the staff actions (audited) after they have authorised the caller; each locks the
// instance row and starts an operation in one transaction.
import { eq } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { instances, type User } from "@/db/schema";
import { isStaff } from "@/server/auth/roles";
import { InstanceActionRefusedError } from "@/server/instances/actions";
import { appendInstanceEvent } from "@/server/instances/events";
import { startOperation } from "@/server/instances/operations";
import { backupById } from "./store";

type Actor = Pick<User, "id" | "role">;

/** A backup the caller may not use here: missing, or (for an owner) another instance's. Worded the same either way. */
export class BackupNotFoundError extends Error {
  constructor() {
    super("No such backup of this instance.");
  }
}

async function lockedInstance(q: Queryable, instanceId: string) {
  const [instance] = await q.select().from(instances).where(eq(instances.id, instanceId)).for("update");
  if (!instance) throw new InstanceActionRefusedError("No such instance.");
  return instance;
}

function byWhom(actor: Actor) {
  return isStaff(actor) ? "Lyceum staff" : "the owner";
}

/** Takes a backup of a running or suspended instance now; it keeps serving meanwhile. */
export async function requestBackup(input: { instanceId: string; actor: Actor; reason?: string | null }, q: Queryable = db) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    if (instance.status !== "running" && instance.status !== "suspended") {
      throw new InstanceActionRefusedError(`Only a running or suspended instance can be backed up; this one is ${instance.status.replace("_", " ")}.`);
    }
    const operation = await startOperation(tx, {
      instanceId: instance.id,
      kind: "backup",
      initiator: isStaff(input.actor) ? "staff" : "owner",
      requestedBy: input.actor.id,
      reason: input.reason ?? null,
    });
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      message: `Backup requested by ${byWhom(input.actor)}: the databases, message-queue definitions and files are copied to the backup store.`,
    });
    return { operationId: operation.id };
  });
}

/**
 * Restores `backupId` into the instance, after backing up its current state. Through the instance's own page
 * (`asStaffAction` false, whoever calls) only the instance's own backups, into it while it runs; the audited staff
 * action may also restore a deprovisioned instance, and from any instance's backup.
 */
export async function requestRestore(
  input: { instanceId: string; backupId: string; actor: Actor; asStaffAction: boolean; reason?: string | null },
  q: Queryable = db,
) {
  return q.transaction(async (tx) => {
    const instance = await lockedInstance(tx, input.instanceId);
    const backup = await backupById(tx, input.backupId);
    const isStaffActor = input.asStaffAction && isStaff(input.actor);
    if (!backup || (!isStaffActor && backup.instanceId !== instance.id)) throw new BackupNotFoundError();
    if (backup.status !== "verified") {
      throw new InstanceActionRefusedError(`That backup is ${backup.status}${backup.error ? ` (${backup.error})` : ""}: only a verified backup can be restored.`);
    }
    const restorable = isStaffActor ? ["running", "deprovisioned"] : ["running"];
    if (!restorable.includes(instance.status)) {
      throw new InstanceActionRefusedError(
        `An instance that is ${instance.status.replace("_", " ")} cannot be restored${isStaffActor ? "" : " by its owner"}; ${isStaffActor ? "only a running or deprovisioned one can" : "only a running one can"}.`,
      );
    }
    const operation = await startOperation(tx, {
      instanceId: instance.id,
      kind: "restore",
      initiator: isStaff(input.actor) ? "staff" : "owner",
      requestedBy: input.actor.id,
      reason: input.reason ?? null,
      backupId: backup.id,
    });
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "warn",
      message: `Restore requested by ${byWhom(input.actor)} from backup ${backup.id.slice(0, 8)} (${backup.kind.replace("_", " ")}, ${backup.createdAt.toISOString()}): the current state is backed up first, then replaced.`,
    });
    return { operationId: operation.id, backupId: backup.id };
  });
}
