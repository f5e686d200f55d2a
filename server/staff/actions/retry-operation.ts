// Retry the instance's failed (or cancelled) operation: it resumes at the step that failed.
import { retryOperation } from "@/server/instances/actions";
import { defineStaffAction, instanceActionInput, locateInstanceById, refuse } from "./staff-action";
import { refusingAsStaffAction } from "./instance-service";

export const retryFailedOperation = defineStaffAction({
  name: "retry_operation",
  title: "Retry the failed operation",
  input: instanceActionInput,

  locate: locateInstanceById,

  async perform({ tx, actor, instance }) {
    if (!instance) refuse("There is no such instance.");
    const { operationId, resumesAt } = await refusingAsStaffAction(() => retryOperation({ instanceId: instance.id, actor }, tx));
    // retryOperation writes the instance's event ("Retry requested by Lyceum staff…"): no separate notice.
    return { summary: `Re-opened operation ${operationId}; it resumes at ${resumesAt ? `step ${resumesAt}` : "the step where it stopped"}.` };
  },
});
