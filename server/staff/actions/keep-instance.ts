// Call off the deprovisioning billing scheduled after a subscription ended: the instance stays, suspended,
// until staff or a new subscription decide otherwise.
import { eq } from "drizzle-orm";
import { subscriptions } from "@/db/schema";
import { cancelTimer, deprovisionJobKey } from "@/server/billing/timers";
import { appendInstanceEvent } from "@/server/instances/events";
import { defineStaffAction, instanceActionInput, locateInstanceById, refuse } from "./staff-action";

export const keepInstance = defineStaffAction({
  name: "keep_instance",
  title: "Call off the scheduled deprovisioning",
  input: instanceActionInput,

  locate: locateInstanceById,

  async perform({ tx, actor, reason, instance }) {
    if (!instance) refuse("There is no such instance.");
    const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.instanceId, instance.id)).for("update");
    if (!row?.deprovisionAt || row.deprovisionKeptAt) refuse("No deprovisioning is scheduled for this instance.");
    if (row.deprovisionStartedAt) refuse("The deprovisioning has already started; cancel the operation instead.");
    await cancelTimer(tx, deprovisionJobKey(instance.id));
    await tx
      .update(subscriptions)
      .set({ deprovisionKeptAt: new Date(), deprovisionKeptBy: actor.id, updatedAt: new Date() })
      .where(eq(subscriptions.id, row.id));
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      kind: "log",
      step: "billing",
      message: `Staff (${actor.email}) called off the scheduled deprovisioning: ${reason}`,
      data: { staffId: actor.id, reason },
    });
    return { summary: `Called off the deprovisioning scheduled for ${row.deprovisionAt.toISOString()}; the instance and its data are kept.` };
  },
});
