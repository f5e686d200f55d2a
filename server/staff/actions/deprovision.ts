// Deprovision: remove every resource of the instance (its servers, bucket, keys, vhost, databases, users).
// Destructive, so the staff member types the subdomain; refused while another operation is unfinished.
import { z } from "zod";
import { requestDeprovision } from "@/server/instances/actions";
import { defineStaffAction, instanceActionInput, locateInstanceById, refuse, requireTypedConfirmation } from "./staff-action";
import { refusingAsStaffAction } from "./instance-service";

export const deprovisionInstance = defineStaffAction({
  name: "deprovision",
  title: "Deprovision the instance",
  input: instanceActionInput.extend({ confirm: z.string().max(100).optional() }),

  locate: locateInstanceById,

  async perform({ tx, actor, input, instance, reason }) {
    if (!instance) refuse("There is no such instance.");
    requireTypedConfirmation(instance, input.confirm);
    const { operationId } = await refusingAsStaffAction(() =>
      requestDeprovision({ instanceId: instance.id, actor, confirmation: input.confirm ?? "", reason }, tx),
    );
    return {
      summary: `Started deprovisioning ${instance.subdomain} (operation ${operationId}).`,
      ownerNotice: {
        subject: `Lyceum staff are deleting "${instance.name}"`,
        text: `Lyceum staff started deprovisioning your instance "${instance.name}": its servers, databases, message queues and files are being deleted. Reason given: ${reason}`,
        event: "Lyceum staff started deprovisioning this instance; its owner was told by email.",
      },
    };
  },
});
