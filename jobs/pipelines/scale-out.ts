// Autoscaling out (decided by server/deployments/autoscale.ts, which raised the deployment's server count): the added
// server boots, answers its heartbeat and joins the load balancer. A failure leaves the instance on the servers it had.
import { and, eq, inArray } from "drizzle-orm";
import { deploymentServers, deployments } from "@/db/schema";
import { appServerLabel, liveServersOf } from "@/server/deployments/app-servers";
import { infra } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { bootAddedServers } from "../steps/app-servers";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import type { Pipeline } from "../runner/types";

export const scaleOutPipeline: Pipeline = {
  kind: "scale_out",
  steps: [bootAddedServers, syncLoadBalancerStep],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    const [deployment] = instance.activeDeploymentId ? await tx.select().from(deployments).where(eq(deployments.id, instance.activeDeploymentId)) : [];
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: `Autoscaling: the added server serves; the instance runs ${deployment?.serverCount ?? "its"} application servers.`,
    });
  },
  async onFailure(tx, instance, operation, error) {
    let outcome = "";
    if (instance.activeDeploymentId) {
      // The servers that never answered go (the load balancer's next sync drops them), and the count goes back to
      // what serves, so the replacement sweep does not take the shortfall for a failure.
      const live = await liveServersOf(tx, instance.activeDeploymentId);
      const booting = live.filter((server) => server.state === "booting");
      for (const server of booting) {
        try {
          if (server.serverId) await infra().compute.destroyServer(server.serverId);
        } catch (teardownError) {
          outcome += ` Destroying ${appServerLabel(server)} failed (${(teardownError as Error).message}); the daily clean-up retries.`;
        }
      }
      if (booting.length) {
        await tx
          .update(deploymentServers)
          .set({ state: "removed", removedAt: new Date() })
          .where(and(eq(deploymentServers.deploymentId, instance.activeDeploymentId), inArray(deploymentServers.id, booting.map((server) => server.id))));
      }
      await tx.update(deployments).set({ serverCount: Math.max(1, live.length - booting.length) }).where(eq(deployments.id, instance.activeDeploymentId));
    }
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `Autoscaling: adding a server failed: ${error.message}.${outcome} The instance keeps serving on the servers it had; a sustained load tries again.`,
    });
  },
};
