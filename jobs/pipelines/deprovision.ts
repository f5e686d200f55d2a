// Deprovision: remove everything the ledger holds for the instance, newest first, and end deprovisioned.
import { transitionInstance } from "@/server/instances/lifecycle";
import { takeBackupStep } from "../steps/backup";
import { removeCertificates } from "../steps/certificates";
import { stopApplicationServers } from "../steps/deployment";
import { removeDns } from "../steps/dns";
import { removeElasticsearch } from "../steps/elasticsearch";
import { syncLoadBalancerStep } from "../steps/load-balancer";
import { removeMailRelayCredential } from "../steps/mail-relay";
import { removeMongodb } from "../steps/mongodb";
import { removeMysql } from "../steps/mysql";
import { removeObjectStorage } from "../steps/object-storage";
import { removeRabbitmq } from "../steps/rabbitmq";
import { removeTutorSecrets } from "../steps/tutor-secrets";
import { verifyNothingLeft } from "../steps/verify-removed";
import type { Pipeline } from "../runner/types";
import { removeServicesServer } from "../steps/services-server";

export const deprovisionPipeline: Pipeline = {
  kind: "deprovision",
  // Provisioning's order reversed: what was made last goes first. The load balancer is synced last: the
  // instance is deprovisioning, so its names, backend and certificates leave the configuration and no other
  // site changes.
  // The final backup first, while every database, vhost and object is still there; it outlives the instance.
  steps: [
    takeBackupStep({ name: "final_backup", title: "Take the final backup", kind: "pre_deprovision" }),
    removeCertificates,
    removeDns,
    stopApplicationServers,
    removeServicesServer,
    removeTutorSecrets,
    removeMailRelayCredential,
    removeElasticsearch,
    removeObjectStorage,
    removeRabbitmq,
    removeMongodb,
    removeMysql,
    verifyNothingLeft,
    syncLoadBalancerStep,
  ],
  async onStart(tx, instance, operation) {
    // requestDeprovision usually moved it already; a retried deprovision of a failed instance moves it here.
    if (instance.status !== "deprovisioning") {
      await transitionInstance(tx, instance.id, "deprovisioning", { message: "Deprovisioning started.", operationId: operation.id });
    }
  },
  async onSuccess(tx, instance, operation) {
    await transitionInstance(tx, instance.id, "deprovisioned", {
      message: "The instance is deprovisioned: its certificates, DNS records, servers, mail relay credential, search user and role, bucket, keys, vhost, databases and users are gone.",
      operationId: operation.id,
    });
  },
  async onFailure(tx, instance, operation, error) {
    await transitionInstance(tx, instance.id, "failed", {
      message: `Deprovisioning stopped: ${error.message}`,
      operationId: operation.id,
    });
  },
};
