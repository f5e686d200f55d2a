// Steps that bring a running instance's site to its owner's latest theme, pages and email settings.
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import { siteConfigOf, withCurrentSmtp } from "@/server/instances/service-config";
import { renderSiteConfig } from "@/server/instances/site-config";
import { PermanentStepError } from "../runner/errors";
import type { PipelineStep, StepContext } from "../runner/types";

/** The deployment serving the instance; null before the first one is up (its config step renders the settings). */
async function activeDeployment(ctx: StepContext) {
  if (!ctx.instance.activeDeploymentId) return null;
  const deployment = await ctx.db.query.deployments.findFirst({ where: eq(deployments.id, ctx.instance.activeDeploymentId) });
  if (!deployment?.serverId || !deployment.address) throw new Error("the active deployment has no running server");
  return deployment;
}

const NOT_UP_YET = "no deployment is up yet; the first one is configured with these settings";

export const pushSiteConfig: PipelineStep = {
  name: "push_config",
  title: "Render the new configuration and send it to the running site",
  async run(ctx) {
    const deployment = await activeDeployment(ctx);
    if (!deployment) return NOT_UP_YET;
    if (!deployment.config) throw new Error("the active deployment has no configuration (its config step did not run)");
    // A cloud VM is configured once, by its user-data; new settings need a new deployment (retrying cannot help).
    if (!ctx.infra.compute.canReconfigureInPlace) {
      throw new PermanentStepError(`the ${ctx.infra.compute.name} compute driver cannot change a running server's settings: redeploy the instance to apply them`);
    }
    const siteConfig = renderSiteConfig(ctx.instance, ctx.env);
    // Merged: other parts of the deployment's configuration (the plan's size and limits, the data services'
    // accounts) are not ours; the server gets them with their sealed passwords, as at boot.
    // The SMTP server and its sealed password are re-rendered too: they are part of the email settings.
    const { config, secrets } = withCurrentSmtp(deployment, { ...deployment.config, ...siteConfig }, ctx.instance, await ctx.ledger.list());
    await ctx.infra.compute.reconfigureServer(deployment.serverId!, siteConfigOf({ ...deployment, config, secrets }));
    await ctx.db.update(deployments).set({ config, secrets }).where(eq(deployments.id, deployment.id));
    return `configuration ${siteConfig.configVersion} sent to ${deployment.serverId}`;
  },
};

export const confirmSiteConfig: PipelineStep = {
  name: "confirm_config",
  title: "Check the site serves the new configuration",
  timeoutMs: 60_000,
  async run(ctx) {
    const deployment = await activeDeployment(ctx);
    if (!deployment) return NOT_UP_YET;
    const expected = deployment.config?.configVersion;
    // Stopped during a long suspension (jobs/steps/suspended-servers.ts): it starts with this configuration on resume.
    if (deployment.serverStoppedAt) return `server ${deployment.serverId} is stopped while the instance is suspended; it starts with configuration ${expected} on resume`;
    const url = `http://${deployment.address}/heartbeat`;
    let seen = "no answer yet";
    for (let delayMs = 50; !ctx.signal.aborted; delayMs = Math.min(delayMs * 2, 1000)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5000)]) });
        const body = (await response.json()) as { configVersion?: string };
        if (response.ok && body.configVersion === expected) return `${url} reports configuration ${expected}`;
        seen = `configuration ${body.configVersion ?? "unknown"}`;
      } catch (error) {
        seen = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    throw new Error(`${url} did not switch to configuration ${expected} (last: ${seen})`);
  },
};
