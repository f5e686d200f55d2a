// Redeploy: a new deployment boots beside the serving one and takes over once healthy; the instance stays up. Staff
// may choose the fast rollout: the switch comes once N-1 of the N new servers answer, the last joins when it does (or
// is replaced by the health sweep), so at no moment fewer than N-1 healthy servers serve.
import { z } from "zod";
import { rolloutKind } from "@/db/schema";
import { requestRedeploy } from "@/server/instances/actions";
import { defineStaffAction, refuse } from "./staff-action";
import { refusingAsStaffAction } from "./instance-service";

export const redeployInstance = defineStaffAction({
  name: "redeploy",
  title: "Redeploy the instance",
  input: z.object({
    instanceId: z.uuid("That is not an instance id."),
    rollout: z.enum(rolloutKind.enumValues).default("full"),
  }),

  async locate(_tx, { instanceId }) {
    return { instanceId, target: { instanceId } };
  },

  async perform({ tx, actor, reason, instance, input }) {
    if (!instance) refuse("There is no such instance.");
    const { operationId } = await refusingAsStaffAction(() =>
      requestRedeploy({ instanceId: instance.id, actor, reason: `Lyceum staff: ${reason}`, rollout: input.rollout }, tx),
    );
    return {
      summary: `Started redeploying ${instance.subdomain}${input.rollout === "fast" ? " with the fast rollout" : ""} (operation ${operationId}).`,
      ownerNotice: {
        subject: `Lyceum staff are redeploying "${instance.name}"`,
        text: `Lyceum staff started redeploying your instance "${instance.name}" on a fresh server. It keeps serving throughout: the new server takes over only once it answers. Reason given: ${reason}`,
        event: "Lyceum staff started a redeploy of this instance; its owner was told by email.",
      },
    };
  },
});
