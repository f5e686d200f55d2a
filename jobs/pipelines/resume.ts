// Resume: a suspended instance serves its site again.
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { env } from "@/server/env";
import { appendInstanceEvent } from "@/server/instances/events";
import { siteUrlFor } from "@/server/instances/hostnames";
import { transitionInstance } from "@/server/instances/lifecycle";
import { enqueueJob } from "@/server/queue/enqueue";
import { serveSiteAgain } from "../steps/front-door";
import { activateDeployment, bootServer, renderDeploymentConfig, retireOldDeployments, waitForNewDeploymentHeartbeat } from "../steps/deployment";
import { startServicesServerAgain, whenServicesServerMoved } from "../steps/services-server";
import { startStoppedServers } from "../steps/suspended-servers";
import type { Pipeline } from "../runner/types";
import { tearDownUnswitchedDeployment } from "./unswitched-deployment";

export const resumePipeline: Pipeline = {
  kind: "resume",
  // The services server first: the application servers reach it as they start. When it came back on another address
  // (an unshelved OVH VM may), the serving deployment's servers point at the old one and read it only at boot: a
  // deployment rendered with the new address boots and takes over (as in a redeploy) while visitors still get the
  // maintenance page, so the site is never served with its cache and search unreachable.
  steps: [
    startServicesServerAgain,
    startStoppedServers,
    ...[renderDeploymentConfig, bootServer, waitForNewDeploymentHeartbeat, activateDeployment, retireOldDeployments].map(whenServicesServerMoved),
    serveSiteAgain,
  ],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    if (instance.status !== "suspended") return;
    const deployment = instance.activeDeploymentId
      ? await tx.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId) })
      : undefined;
    // A plan changed while suspended, on a compute driver that applies it by redeploying (jobs/tasks/apply_plan_change.ts).
    // A deployment rendered before configs named their plan is left alone: nothing says it runs another one.
    const deployedPlan = deployment?.config?.plan;
    if (typeof deployedPlan === "string" && deployedPlan !== instance.plan) {
      await enqueueJob(tx, "apply_plan_change", { instanceId: instance.id }, { jobKey: `billing:plan:${instance.id}` });
    }
    const siteUrl = siteUrlFor(instance, env(), deployment?.address ?? null);
    await transitionInstance(tx, instance.id, "running", {
      message: siteUrl ? `Your instance is running again at ${siteUrl}` : "Your instance is running again.",
      operationId: operation.id,
      data: { siteUrl },
    });
  },
  async onFailure(tx, instance, operation, error) {
    // A deployment for a moved services server that never took over goes; the one rendered before the suspension stays.
    const outcome = await tearDownUnswitchedDeployment(tx, instance, operation, error);
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `Resuming failed: ${error.message}.${outcome} The site still shows the maintenance page.`,
    });
  },
};
