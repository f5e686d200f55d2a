// Autoscaling in (decided by server/deployments/autoscale.ts, which lowered the deployment's server count): the
// surplus server leaves the load balancer first, then is destroyed, so no visitor is sent to a server going away.
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { liveServersOf } from "@/server/deployments/app-servers";
import { appendInstanceEvent } from "@/server/instances/events";
import { destroyReplacedServers, takeSurplusServersOut } from "../steps/app-servers";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import type { Pipeline } from "../runner/types";

export const scaleInPipeline: Pipeline = {
  kind: "scale_in",
  steps: [takeSurplusServersOut, syncLoadBalancerStep, destroyReplacedServers],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    const [deployment] = instance.activeDeploymentId ? await tx.select().from(deployments).where(eq(deployments.id, instance.activeDeploymentId)) : [];
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: `Autoscaling: the surplus server is gone; the instance runs ${deployment?.serverCount ?? "its"} application server(s).`,
    });
  },
  async onFailure(tx, instance, operation, error) {
    // The count follows what is still in the set: a server not yet taken out keeps serving and is counted again.
    if (instance.activeDeploymentId) {
      const live = await liveServersOf(tx, instance.activeDeploymentId);
      await tx.update(deployments).set({ serverCount: Math.max(1, live.length) }).where(eq(deployments.id, instance.activeDeploymentId));
    }
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `Autoscaling: removing a server failed: ${error.message}. A server out of rotation but not yet destroyed is left to the daily clean-up.`,
    });
  },
};
