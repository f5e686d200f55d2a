// Reconfigure: bring a provisioned instance in line with its settings without redeploying it — the owner's
// theme, pages and email settings, and its plan (server size and limits) after a billing plan change. The
// instance keeps serving throughout; a failure leaves the previous configuration in place.
import { appendInstanceEvent } from "@/server/instances/events";
import { backUpBeforePlanChange } from "../steps/backup";
import { ensureCertificates } from "../steps/certificates";
import { ensureMailRelayCredential } from "../steps/mail-relay";
import { applyPlan } from "../steps/compute-flavor";
import { confirmSiteConfig, pushSiteConfig } from "../steps/reconfigure";
import type { Pipeline } from "../runner/types";

export const reconfigurePipeline: Pipeline = {
  kind: "reconfigure",
  // Certificates first: a custom domain verified since the last run (verify_domain starts this pipeline) gets its
  // certificate through HTTP-01 before the site switches to it; otherwise the step finds everything valid.
  // The relay credential before the push: an owner switching to the platform's relay needs one on the site.
  // A plan change is backed up before anything is pushed (a settings-only reconfigure skips that step at once).
  steps: [backUpBeforePlanChange, ensureCertificates, ensureMailRelayCredential, pushSiteConfig, confirmSiteConfig, applyPlan],
  async onStart() {},
  async onSuccess(tx, instance, operation) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "success",
      message: "Your changes are live.",
    });
  },
  async onFailure(tx, instance, operation, error) {
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      operationId: operation.id,
      kind: "log",
      level: "error",
      message: `Reconfiguring failed: ${error.message}. The instance keeps its previous settings.`,
    });
  },
};
