// Redeploy: a new deployment boots beside the one serving, and takes over only once it answers /heartbeat.
// The instance stays running throughout; a new deployment that never becomes healthy is torn down and the
// old one keeps serving (the operation fails, the instance does not).
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { deploymentLabel, setDeploymentStatus } from "@/server/deployments/status";
import { infra } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { destroyDeploymentServer } from "@/server/deployments/retire";
import { backUpBeforeRedeploy } from "../steps/backup";
import { ensureCertificates } from "../steps/certificates";
import { activateDeployment, bootServer, renderDeploymentConfig, retireOldDeployments, waitForNewDeploymentHeartbeat } from "../steps/deployment";
import { publishDns } from "../steps/dns";
import { claimOneLabelHostnames, retireNestedHostnames } from "../steps/hostname-move";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import { ensureMailRelayCredential } from "../steps/mail-relay";
import { ensureTutorSecrets } from "../steps/tutor-secrets";
import type { Pipeline } from "../runner/types";
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
    const [attempted] = await tx.select().from(deployments).where(eq(deployments.operationId, operation.id));
    let outcome = "";
    // Not yet in service: it goes, so the old deployment is the only one serving. (Once switched, it is the
    // one serving and stays; a failure after the switch is only about retiring the old one.)
    if (attempted && attempted.id !== instance.activeDeploymentId && attempted.status !== "terminated") {
      let isTornDown = false;
      try {
        await destroyDeploymentServer(tx, infra().compute, attempted);
        isTornDown = true;
        outcome = ` ${deploymentLabel(attempted)} never went into service; its server was torn down.`;
      } catch (teardownError) {
        outcome = ` ${deploymentLabel(attempted)} never went into service; tearing its server down failed (${(teardownError as Error).message}), the daily clean-up retries.`;
      }
      // Where it stopped says what went wrong: no server (error), no heartbeat (configuration_failed); a healthy
      // one that never got the traffic is terminated once its server is gone (until then the daily job sees it).
      const failedStatus =
        attempted.status === "running" ? (isTornDown ? "terminated" : null) : ["new", "waiting_for_vm", "error"].includes(attempted.status) ? "error" : "configuration_failed";
      if (failedStatus) await setDeploymentStatus(tx, attempted.id, failedStatus, { operationId: operation.id, why: error.message });
    }
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
