// Bringing a running instance in line with its plan (VM size and limits) after a plan change.
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { planById, planDeploymentConfig } from "@/server/billing/plans";
import type { PipelineStep } from "../runner/types";

export const applyPlan: PipelineStep = {
  name: "apply_plan",
  title: "Apply the plan's server size and limits",
  async run(ctx) {
    const plan = planById(ctx.instance.plan);
    const deployment = ctx.instance.activeDeploymentId
      ? await ctx.db.query.deployments.findFirst({ where: eq(deployments.id, ctx.instance.activeDeploymentId) })
      : undefined;
    // A deployment without a configuration never got past its config step: it is not up either.
    if (!deployment?.config) return `no deployment is up yet; the next one boots as ${plan.vmFlavor}`;
    const serverId = deployment.serverId ?? deployment.id;
    const recorded = await ctx.ledger.find("compute.flavor", serverId);
    // Both the ledger and the deployment's config: billing's sweep reads the config's plan as what is deployed.
    if (recorded?.details.flavor === plan.vmFlavor && deployment.config?.plan === plan.id) return `server ${serverId} is already sized ${plan.vmFlavor} for the ${plan.name} plan`;
    await ctx.db
      .update(deployments)
      .set({ config: { ...deployment.config, ...planDeploymentConfig(plan) } })
      .where(eq(deployments.id, deployment.id));
    await ctx.ledger.record("compute.flavor", serverId, { flavor: plan.vmFlavor, plan: plan.id, limits: plan.limits });
    const sizing =
      deployment.computeDriver === "local"
        ? "the local driver runs every size alike"
        : `recorded only: the ${deployment.computeDriver} driver does not resize a running server yet`;
    return `server ${serverId} set to ${plan.vmFlavor} with the ${plan.name} plan's limits (${sizing})`;
  },
};
