// Staff choose how many application servers an instance runs instead of its plan's (an exam week, a school
// that outgrew its plan for a month), or give it back its plan's number. It takes effect at the next deployment:
// a redeploy brings the new number up beside the old set and switches only once a quorum of it is healthy.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { instances } from "@/db/schema";
import { planById } from "@/server/billing/plans";
import { MAX_APP_SERVERS } from "@/server/deployments/app-servers";
import { appendInstanceEvent } from "@/server/instances/events";
import { defineStaffAction, locateInstanceById, refuse } from "./staff-action";

export const setAppServers = defineStaffAction({
  name: "set_app_servers",
  title: "Set the number of application servers",
  input: z.object({
    instanceId: z.uuid("That is not an instance id."),
    // null: the plan's number again.
    appServers: z.number().int().min(1, "At least one server.").max(MAX_APP_SERVERS, `At most ${MAX_APP_SERVERS} servers.`).nullable(),
  }),

  locate: locateInstanceById,

  async perform({ tx, actor, reason, instance, input }) {
    if (!instance) refuse("There is no such instance.");
    if (["deprovisioning", "deprovisioned"].includes(instance.status)) refuse(`The instance is ${instance.status}: it runs no servers any more.`);
    const planCount = planById(instance.plan).appServers;
    const before = instance.appServersOverride ?? planCount;
    const after = input.appServers ?? planCount;
    if (instance.appServersOverride === input.appServers) {
      refuse(input.appServers === null ? `The instance already runs its plan's number (${planCount}).` : `The instance is already set to ${after} server(s).`);
    }
    await tx.update(instances).set({ appServersOverride: input.appServers, updatedAt: new Date() }).where(eq(instances.id, instance.id));
    const what = input.appServers === null ? `its plan's ${planCount}` : `${after} (the plan has ${planCount})`;
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      kind: "log",
      step: "app_servers",
      message: `Staff (${actor.email}) set the application servers from ${before} to ${what}, from the next deployment on: ${reason}`,
      data: { staffId: actor.id, reason, before, after, override: input.appServers },
    });
    return { summary: `${instance.subdomain} runs ${what} application server(s) from its next deployment; redeploy to apply it now.` };
  },
});
