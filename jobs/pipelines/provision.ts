// Provision: bring a paid instance from queued to running.
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { env } from "@/server/env";
import { siteUrlFor } from "@/server/instances/hostnames";
import { transitionInstance } from "@/server/instances/lifecycle";
import { emailOwnerInstanceRunning, emailOwnerProvisioningFailed } from "@/server/notifications/instance-emails";
import { ensureCertificates } from "../steps/certificates";
import { ensureElasticsearch } from "../steps/elasticsearch";
import { activateDeployment, bootServer, renderDeploymentConfig, waitForHeartbeat } from "../steps/deployment";
import { publishDns } from "../steps/dns";
import { showPreparingPage, syncLoadBalancerStep } from "../steps/load-balancer";
import { ensureMailRelayCredential } from "../steps/mail-relay";
import { ensureMongodb } from "../steps/mongodb";
import { ensureMysql } from "../steps/mysql";
import { ensureObjectStorage } from "../steps/object-storage";
import { ensureRabbitmq } from "../steps/rabbitmq";
import { ensureTutorSecrets } from "../steps/tutor-secrets";
import { OperationCancelledError } from "../runner/timeout";
import type { Pipeline } from "../runner/types";
import { ensureServicesServer } from "../steps/services-server";

export const provisionPipeline: Pipeline = {
  kind: "provision",
  // Data services first (docs/architecture.md), so the config can carry their credentials.
  steps: [
    showPreparingPage,
    ensureMysql,
    ensureMongodb,
    ensureRabbitmq,
    ensureObjectStorage,
    ensureElasticsearch,
    ensureMailRelayCredential,
    ensureTutorSecrets,
    ensureServicesServer,
    renderDeploymentConfig,
    bootServer,
    waitForHeartbeat,
    publishDns,
    ensureCertificates,
    activateDeployment,
    syncLoadBalancerStep,
  ],
  async onStart(tx, instance, operation) {
    if (instance.status === "queued") {
      await transitionInstance(tx, instance.id, "provisioning", { message: "Provisioning started.", operationId: operation.id });
    }
  },
  async onSuccess(tx, instance, operation) {
    const deployment = instance.activeDeploymentId
      ? await tx.query.deployments.findFirst({ where: eq(deployments.id, instance.activeDeploymentId) })
      : undefined;
    const siteUrl = siteUrlFor(instance, env(), deployment?.address ?? null);
    await transitionInstance(tx, instance.id, "running", {
      message: siteUrl ? `Your instance is running at ${siteUrl}` : "Your instance is running.",
      operationId: operation.id,
      data: { siteUrl },
    });
    await emailOwnerInstanceRunning(tx, instance, siteUrl);
  },
  async onFailure(tx, instance, operation, error) {
    await transitionInstance(tx, instance.id, "failed", {
      message: `Provisioning stopped: ${error.message}`,
      operationId: operation.id,
    });
    // A cancelled provision was stopped on purpose; the staff action that cancelled it told the owner.
    if (!(error instanceof OperationCancelledError)) await emailOwnerProvisioningFailed(tx, instance, error);
  },
};
