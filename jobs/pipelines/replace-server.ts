// Replace a failing application server (started by the minutely health sweep, server/deployments/app-server-health.ts):
// the new server boots and joins the load balancer before the failing one leaves it and is destroyed. The instance
// keeps serving from its healthy servers throughout; a failure leaves the failing server listed for the next try.
import { appendInstanceEvent } from "@/server/instances/events";
import { bootReplacementServers, destroyReplacedServers } from "../steps/app-servers";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import type { Pipeline } from "../runner/types";

export const replaceServerPipeline: Pipeline = {
  kind: "replace_server",
  steps: [bootReplacementServers, syncLoadBalancerStep, destroyReplacedServers],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: "The failing application server was replaced; the instance is back to its full number of servers.",
    });
  },
  async onFailure(tx, instance, operation, error) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `Replacing the failing application server failed: ${error.message}. The healthy servers keep serving; the next health sweep tries again.`,
    });
  },
};
