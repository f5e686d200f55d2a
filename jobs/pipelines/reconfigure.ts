// Reconfigure: apply the owner's edited theme, pages and email settings to the running site. The instance
// stays running throughout; a failure leaves the previous configuration serving.
import { appendInstanceEvent } from "@/server/instances/events";
import { confirmSiteConfig, pushSiteConfig } from "../steps/reconfigure";
import type { Pipeline } from "../pipeline/types";

export const reconfigurePipeline: Pipeline = {
  kind: "reconfigure",
  steps: [pushSiteConfig, confirmSiteConfig],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: "Your changes are live.",
    });
  },
  async onFailure() {},
};
