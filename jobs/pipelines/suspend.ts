// Suspend: visitors get a maintenance page; databases and files are kept as they are, and so are the servers for the
// first days (SUSPENDED_SERVERS_STOP_AFTER_DAYS). Past them, a sweep runs this again and the servers stop.
import { appendInstanceEvent } from "@/server/instances/events";
import { transitionInstance } from "@/server/instances/lifecycle";
import { showMaintenancePage } from "../steps/front-door";
import { stopServersPastGrace } from "../steps/suspended-servers";
import type { Pipeline } from "../runner/types";

export const suspendPipeline: Pipeline = {
  kind: "suspend",
  steps: [showMaintenancePage, stopServersPastGrace],
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
      message:
        instance.status === "suspended"
          ? `Stopping the servers of the suspended instance failed: ${error.message}. Visitors still see the maintenance page.`
          : `The suspension did not happen: ${error.message}. The site is still served.`,
    });
  },
};
