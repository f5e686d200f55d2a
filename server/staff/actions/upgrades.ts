// Releases by staff: upgrade an instance (a preview release too), roll its last upgrade back, and keep the release
// catalogue. All are audited; an instance's owner is told of what is done to it.
import { z } from "zod";
import { releaseById, releaseInputSchema, releaseLabel, ReleaseNotFoundError } from "@/server/releases/catalogue";
import { createRelease, ReleaseRefusedError, updateRelease } from "@/server/releases/manage";
import { requestRollback, requestUpgrade } from "@/server/upgrades/requests";
import { refusingAsStaffAction } from "./instance-service";
import { defineStaffAction, instanceActionInput, locateInstanceById, refuse } from "./staff-action";

export const upgradeInstance = defineStaffAction({
  name: "upgrade",
  title: "Upgrade the instance to another release",
  input: instanceActionInput.extend({ releaseId: z.uuid("That is not a release id.") }),

  async locate(_tx, { instanceId, releaseId }) {
    return { instanceId, target: { instanceId, releaseId } };
  },

  async perform({ tx, actor, reason, instance, input }) {
    if (!instance) refuse("There is no such instance.");
    const { operationId } = await refusingAsStaffAction(() => requestUpgrade({ instanceId: instance.id, releaseId: input.releaseId, actor, asStaffAction: true, reason: `Lyceum staff: ${reason}` }, tx));
    const release = await releaseById(tx, input.releaseId);
    const to = release ? releaseLabel(release) : "another release";
    return {
      summary: `Started upgrading ${instance.subdomain} to ${to} (operation ${operationId}).`,
      ownerNotice: {
        subject: `Lyceum staff are upgrading "${instance.name}" to ${to}`,
        text: `Lyceum staff started upgrading your instance "${instance.name}" to ${to}. It is backed up first and keeps serving on its current release until the new one passes its health checks; the previous release is kept for a while so the upgrade can be rolled back. Reason given: ${reason}`,
        event: `Lyceum staff started an upgrade of this instance to ${to}; its owner was told by email.`,
      },
    };
  },
});

export const rollbackInstance = defineStaffAction({
  name: "rollback",
  title: "Roll back the last upgrade",
  input: instanceActionInput.extend({ confirm: z.string().optional() }),
  locate: locateInstanceById,

  async perform({ tx, actor, reason, instance, input }) {
    if (!instance) refuse("There is no such instance.");
    const { operationId, restoresBackup } = await refusingAsStaffAction(() =>
      requestRollback({ instanceId: instance.id, actor, confirm: input.confirm, reason: `Lyceum staff: ${reason}` }, tx),
    );
    return {
      summary: `Started rolling back ${instance.subdomain}'s last upgrade${restoresBackup ? ", restoring its pre-upgrade backup" : ""} (operation ${operationId}).`,
      ownerNotice: {
        subject: `Lyceum staff are rolling back "${instance.name}"`,
        text: `Lyceum staff started rolling your instance "${instance.name}" back to the release it ran before its last upgrade.${restoresBackup ? " The backup taken before the upgrade is restored first: what was written since is lost." : ""} Reason given: ${reason}`,
        event: "Lyceum staff started a rollback of this instance's last upgrade; its owner was told by email.",
      },
    };
  },
});

async function refusingReleaseErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ReleaseRefusedError || error instanceof ReleaseNotFoundError) refuse(error.message);
    throw error;
  }
}

export const addRelease = defineStaffAction({
  name: "add_release",
  title: "Add a release",
  input: z.object({ release: releaseInputSchema }),

  async locate(_tx, { release }) {
    return { instanceId: null, target: { releaseName: release.name } };
  },

  async perform({ tx, input }) {
    const created = await refusingReleaseErrors(() => createRelease(tx, input.release));
    return { summary: `Added ${releaseLabel(created)} as ${created.status.replace("_", " ")} (release ${created.id}).` };
  },
});

export const changeRelease = defineStaffAction({
  name: "change_release",
  title: "Change a release",
  input: z.object({ releaseId: z.uuid("That is not a release id."), release: releaseInputSchema }),

  async locate(_tx, { releaseId }) {
    return { instanceId: null, target: { releaseId } };
  },

  async perform({ tx, input }) {
    const { before, after } = await refusingReleaseErrors(() => updateRelease(tx, input.releaseId, input.release));
    const changes = (["name", "tutorVersion", "status", "notes"] as const).filter((key) => before[key] !== after[key]);
    if (JSON.stringify(before.pluginVersions) !== JSON.stringify(after.pluginVersions)) changes.push("pluginVersions" as never);
    if (JSON.stringify(before.migrations) !== JSON.stringify(after.migrations)) changes.push("migrations" as never);
    const said = changes.map((key) => (key === "status" ? `status ${before.status} → ${after.status}` : key)).join(", ");
    return { summary: `Changed ${releaseLabel(after)}: ${said || "nothing"}.` };
  },
});
