// Suspend a running instance (visitors get the maintenance page, all data is kept) or resume a suspended
// one. Billing's own suspensions (unpaid, cancelled) are lifted by billing, not by hand.
import { eq } from "drizzle-orm";
import { subscriptions } from "@/db/schema";
import { startOperation } from "@/server/instances/operations";
import { defineStaffAction, instanceActionInput, locateInstanceById, refuse } from "./staff-action";
import { refusingAsStaffAction } from "./instance-service";

export const suspendInstance = defineStaffAction({
  name: "suspend",
  title: "Suspend the instance",
  input: instanceActionInput,

  locate: locateInstanceById,

  async perform({ tx, actor, reason, instance }) {
    if (!instance) refuse("There is no such instance.");
    if (instance.status !== "running") refuse(`Only a running instance can be suspended; this one is ${instance.status.replace("_", " ")}.`);
    const operation = await refusingAsStaffAction(() =>
      startOperation(tx, { instanceId: instance.id, kind: "suspend", initiator: "staff", requestedBy: actor.id, reason: `Lyceum staff: ${reason}` }),
    );
    return {
      summary: `Started suspension ${operation.id}.`,
      ownerNotice: {
        subject: `Lyceum staff suspended "${instance.name}"`,
        text: `Lyceum staff suspended your instance "${instance.name}": visitors see a maintenance page for now. All your data is kept. Reply to this email if you have questions.`,
        event: "Lyceum staff suspended this instance; visitors see a maintenance page, all data is kept.",
      },
    };
  },
});

export const resumeInstance = defineStaffAction({
  name: "resume",
  title: "Resume the instance",
  input: instanceActionInput,

  locate: locateInstanceById,

  async perform({ tx, actor, reason, instance }) {
    if (!instance) refuse("There is no such instance.");
    if (instance.status !== "suspended") refuse(`Only a suspended instance can be resumed; this one is ${instance.status.replace("_", " ")}.`);
    const [subscription] = await tx.select().from(subscriptions).where(eq(subscriptions.instanceId, instance.id));
    if (subscription?.suspendedFor === "non_payment") {
      refuse("Billing suspended this instance for an unpaid invoice: it resumes when the invoice is paid.");
    }
    if (subscription?.suspendedFor === "canceled") {
      refuse("Billing suspended this instance because its subscription ended: it resumes only with a new subscription.");
    }
    const operation = await refusingAsStaffAction(() =>
      startOperation(tx, { instanceId: instance.id, kind: "resume", initiator: "staff", requestedBy: actor.id, reason: `Lyceum staff: ${reason}` }),
    );
    return {
      summary: `Started resumption ${operation.id}.`,
      ownerNotice: {
        subject: `"${instance.name}" is being brought back online`,
        text: `Lyceum staff resumed your instance "${instance.name}": it is being brought back online now.`,
        event: "Lyceum staff resumed this instance.",
      },
    };
  },
});
