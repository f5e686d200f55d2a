// The instance's Tutor secrets: generated once, sealed in the ledger, and the same for every deployment.
import { newTutorSecrets, TUTOR_SECRET_KEYS } from "@/server/instances/tutor-secrets";
import type { PipelineStep } from "../runner/types";
import { removeRecorded, resourceNamesOf } from "./ledger-walk";

export const ensureTutorSecrets: PipelineStep = {
  name: "tutor_secrets",
  title: "Keep the instance's Open edX secrets",
  async run(ctx) {
    const { base } = resourceNamesOf(ctx).tutor;
    const existing = await ctx.ledger.find("tutor.secrets", base);
    await ctx.ledger.recordBeforeCreating("tutor.secrets", base, { keys: [...TUTOR_SECRET_KEYS] }, newTutorSecrets);
    return existing ? "kept the instance's Open edX secrets: users stay logged in across deployments" : "generated the instance's Open edX secrets (sealed)";
  },
};

export const removeTutorSecrets: PipelineStep = {
  name: "remove_tutor_secrets",
  title: "Forget the instance's Open edX secrets",
  async run(ctx) {
    const result = await removeRecorded(ctx, "tutor.secrets", async () => ({ existed: true }));
    return result.total === 0 ? "no Open edX secrets were recorded" : "forgot the instance's Open edX secrets";
  },
};
