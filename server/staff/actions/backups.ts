// Backups by staff: take one now, and restore one (into a running instance, or a deprovisioned one from its final
// backup), or clone one into a new instance. All are audited; the owner is told.
import { z } from "zod";
import { requestClone } from "@/server/backups/clone";
import { BackupNotFoundError, requestBackup, requestRestore } from "@/server/backups/requests";
import { backupById } from "@/server/backups/store";
import { HostnameClaimError } from "@/server/domains/hostname-claims";
import { defineStaffAction, instanceActionInput, locateInstanceById, refuse } from "./staff-action";
import { refusingAsStaffAction } from "./instance-service";

export const backUpInstance = defineStaffAction({
  name: "back_up",
  title: "Back up the instance",
  input: instanceActionInput,
  locate: locateInstanceById,

  async perform({ tx, actor, reason, instance }) {
    if (!instance) refuse("There is no such instance.");
    const { operationId } = await refusingAsStaffAction(() => requestBackup({ instanceId: instance.id, actor, reason: `Lyceum staff: ${reason}` }, tx));
    return { summary: `Started a backup of ${instance.subdomain} (operation ${operationId}).` };
  },
});

export const restoreInstance = defineStaffAction({
  name: "restore",
  title: "Restore the instance from a backup",
  input: instanceActionInput.extend({ backupId: z.uuid("That is not a backup id.") }),

  async locate(_tx, { instanceId, backupId }) {
    return { instanceId, target: { instanceId, backupId } };
  },

  async perform({ tx, actor, reason, instance, input }) {
    if (!instance) refuse("There is no such instance.");
    let started;
    try {
      started = await refusingAsStaffAction(() => requestRestore({ instanceId: instance.id, backupId: input.backupId, actor, asStaffAction: true, reason: `Lyceum staff: ${reason}` }, tx));
    } catch (error) {
      if (error instanceof BackupNotFoundError) refuse("There is no such backup.");
      throw error;
    }
    return {
      summary: `Started restoring ${instance.subdomain} from backup ${started.backupId} (operation ${started.operationId}).`,
      ownerNotice: {
        subject: `Lyceum staff are restoring "${instance.name}" from a backup`,
        text: `Lyceum staff started restoring your instance "${instance.name}" from a backup. Its current state is backed up first. Reason given: ${reason}`,
        event: "Lyceum staff started a restore of this instance from a backup; its owner was told by email.",
      },
    };
  },
});

export const cloneBackup = defineStaffAction({
  name: "clone",
  title: "Clone a backup into a new instance",
  input: z.object({ backupId: z.uuid("That is not a backup id."), subdomain: z.string().trim().min(1, "Give the new instance's subdomain.") }),

  // Audited against the source instance, whose backup is copied.
  async locate(tx, { backupId, subdomain }) {
    const backup = await backupById(tx, backupId);
    return { instanceId: backup?.instanceId ?? null, target: { backupId, subdomain } };
  },

  async perform({ tx, actor, reason, input }) {
    let started;
    try {
      started = await refusingAsStaffAction(() => requestClone(tx, { backupId: input.backupId, subdomain: input.subdomain, actor, reason }));
    } catch (error) {
      if (error instanceof BackupNotFoundError) refuse("There is no such backup.");
      if (error instanceof HostnameClaimError) refuse(error.message);
      throw error;
    }
    return {
      summary: `Started cloning backup ${input.backupId} of ${started.source.subdomain} into new instance ${started.instance.subdomain} (${started.instance.id}, operation ${started.operationId}).`,
      ownerNotice: {
        subject: `Lyceum staff are copying "${started.source.name}" into a new instance`,
        text: `Lyceum staff started copying a backup of your instance "${started.source.name}" into a new instance at ${started.instance.subdomain}. Your instance is not changed. Reason given: ${reason}`,
        event: `Lyceum staff started copying a backup of this instance into a new instance (${started.instance.subdomain}); this instance is not changed. Its owner was told by email.`,
      },
    };
  },
});
