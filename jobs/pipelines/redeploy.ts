// Redeploy: a new deployment boots beside the one serving, and takes over only once it answers /heartbeat.
// The instance stays running throughout; a new deployment that never becomes healthy is torn down and the
// old one keeps serving (the operation fails, the instance does not).
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { deploymentLabel } from "@/server/deployments/status";
import { appendInstanceEvent } from "@/server/instances/events";
import { backUpBeforeRedeploy } from "../steps/backup";
import { ensureCertificates } from "../steps/certificates";
import { activateDeployment, bootServer, renderDeploymentConfig, retireOldDeployments, waitForNewDeploymentHeartbeat } from "../steps/deployment";
import { publishDns } from "../steps/dns";
import { claimOneLabelHostnames, retireNestedHostnames } from "../steps/hostname-move";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import { ensureMailRelayCredential } from "../steps/mail-relay";
import { ensureTutorSecrets } from "../steps/tutor-secrets";
import type { Pipeline } from "../runner/types";
import { tearDownUnswitchedDeployment } from "./unswitched-deployment";
import { ensureServicesServer, removeUnneededServicesServer } from "../steps/services-server";

export const redeployPipeline: Pipeline = {
  kind: "redeploy",
  // Certificates first, as in reconfigure (which a redeploy replaces on compute that cannot change a running server):
  // a custom domain verified since the last deployment gets its certificate before the new one serves it. The load
  // balancer follows the switch before the old deployment leaves service (it stays up as the fallback).
  // The relay credential and the Tutor secrets before the config: an instance provisioned before either existed gets
  // them here (and keeps them from then on).
  // A backup first: the new deployment migrates the databases the old one serves from.
  // The new deployment is rendered with the one-label names (studio-acme.<base>): an instance still on the nested ones
  // claims and publishes them first, and retires the nested names once the new deployment serves (steps/hostname-move.ts).
  // The services server: a plan change to a plan with one boots it before the config points the new deployment at it;
  // one away from it deletes it last, once the deployment that used it is out of service.
  steps: [
    claimOneLabelHostnames,
    backUpBeforeRedeploy,
    publishDns,
    ensureCertificates,
    ensureMailRelayCredential,
    ensureTutorSecrets,
    ensureServicesServer,
    renderDeploymentConfig,
    bootServer,
    waitForNewDeploymentHeartbeat,
    activateDeployment,
    retireNestedHostnames,
    syncLoadBalancerStep,
    retireOldDeployments,
    removeUnneededServicesServer,
  ],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    const [active] = instance.activeDeploymentId ? await tx.select().from(deployments).where(eq(deployments.id, instance.activeDeploymentId)) : [];
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: `Redeployed: ${active ? deploymentLabel(active).toLowerCase() : "the new deployment"} serves the instance.`,
    });
  },
  async onFailure(tx, instance, operation, error) {
    const outcome = await tearDownUnswitchedDeployment(tx, instance, operation, error);
    const serving = instance.activeDeploymentId ? `deployment ${instance.activeDeploymentId.slice(0, 8)}` : "no deployment";
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `Redeploying failed: ${error.message}.${outcome} The instance keeps serving ${serving}.`,
    });
  },
};
