// Redeploy: a new deployment boots beside the serving one and takes over once healthy; the instance stays up.
import { z } from "zod";
import { requestRedeploy } from "@/server/instances/actions";
import { defineStaffAction, refuse } from "./staff-action";
import { refusingAsStaffAction } from "./instance-service";

export const redeployInstance = defineStaffAction({
  name: "redeploy",
  title: "Redeploy the instance",
  input: z.object({ instanceId: z.uuid("That is not an instance id.") }),

  async locate(_tx, { instanceId }) {
    return { instanceId, target: { instanceId } };
  },

  async perform({ tx, actor, reason, instance }) {
    if (!instance) refuse("There is no such instance.");
    const { operationId } = await refusingAsStaffAction(() =>
      requestRedeploy({ instanceId: instance.id, actor, reason: `Lyceum staff: ${reason}` }, tx),
    );
    return {
      summary: `Started redeploying ${instance.subdomain} (operation ${operationId}).`,
      ownerNotice: {
        subject: `Lyceum staff are redeploying "${instance.name}"`,
        text: `Lyceum staff started redeploying your instance "${instance.name}" on a fresh server. It keeps serving throughout: the new server takes over only once it answers. Reason given: ${reason}`,
        event: "Lyceum staff started a redeploy of this instance; its owner was told by email.",
      },
    };
  },
});
