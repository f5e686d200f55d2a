// Reconfigure: bring a provisioned instance in line with its settings without redeploying it. Today that
// is its plan (server size and limits) after a billing plan change.
import { appendInstanceEvent } from "@/server/instances/events";
import { applyPlan } from "../steps/plan";
import type { Pipeline } from "../pipeline/types";

export const reconfigurePipeline: Pipeline = {
  kind: "reconfigure",
  steps: [applyPlan],
  async onStart() {},
  async onSuccess() {},
  async onFailure(tx, instance, operation, error) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `Reconfiguring failed: ${error.message}. The instance keeps its previous settings.`,
    });
  },
};
