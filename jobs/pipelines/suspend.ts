// Suspend: visitors get a maintenance page; the servers, databases and files are kept as they are.
import { appendInstanceEvent } from "@/server/instances/events";
import { transitionInstance } from "@/server/instances/lifecycle";
import { showMaintenancePage } from "../steps/front-door";
import type { Pipeline } from "../runner/types";

export const suspendPipeline: Pipeline = {
  kind: "suspend",
  steps: [showMaintenancePage],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    if (instance.status !== "running") return;
    await transitionInstance(tx, instance.id, "suspended", {
      message: `Suspended${operation.reason ? ` (${operation.reason})` : ""}. Visitors see a maintenance page; all data is kept.`,
      operationId: operation.id,
    });
  },
  async onFailure(tx, instance, operation, error) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `The suspension did not happen: ${error.message}. The site is still served.`,
    });
  },
};
