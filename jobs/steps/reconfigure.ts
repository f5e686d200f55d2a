// Steps that bring a running instance's site to its owner's latest theme, pages and email settings.
import { eq } from "drizzle-orm";
import { deployments, type Deployment } from "@/db/schema";
import { liveServersOf } from "@/server/deployments/app-servers";
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

/** The deployment's live servers (a deployment from before deployment_servers: the one on its row). */
async function liveOf(ctx: StepContext, deployment: Deployment) {
  return (await liveServersOf(ctx.db, deployment.id)).filter((server) => server.serverId && server.address);
}

async function serverIdsOf(ctx: StepContext, deployment: Deployment) {
  const live = await liveOf(ctx, deployment);
  return live.length ? live.map((server) => server.serverId!) : [deployment.serverId!];
}

/** A failing server is not waited for: it takes the new file when it starts again, or is replaced. */
async function addressesOf(ctx: StepContext, deployment: Deployment) {
  const live = (await liveOf(ctx, deployment)).filter((server) => server.state !== "failing");
  return live.length ? live.map((server) => server.address!) : [deployment.address!];
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
    // Every server of the deployment: visitors spread over them must all see the new settings.
    const serverIds = await serverIdsOf(ctx, deployment);
    for (const serverId of serverIds) await ctx.infra.compute.reconfigureServer(serverId, siteConfigOf({ ...deployment, config, secrets }));
    await ctx.db.update(deployments).set({ config, secrets }).where(eq(deployments.id, deployment.id));
    return `configuration ${siteConfig.configVersion} sent to ${serverIds.join(", ")}`;
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
    const addresses = await addressesOf(ctx, deployment);
    let seen = "no answer yet";
    let pending = addresses;
    for (let delayMs = 50; !ctx.signal.aborted; delayMs = Math.min(delayMs * 2, 1000)) {
      const stillPending = [];
      for (const address of pending) {
        try {
          const response = await fetch(`http://${address}/heartbeat`, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5000)]) });
          const body = (await response.json()) as { configVersion?: string };
          if (response.ok && body.configVersion === expected) continue;
          seen = `${address}: configuration ${body.configVersion ?? "unknown"}`;
        } catch (error) {
          seen = `${address}: ${(error as Error).message}`;
        }
        stillPending.push(address);
      }
      pending = stillPending;
      if (pending.length === 0) {
        return addresses.length === 1 ? `http://${addresses[0]}/heartbeat reports configuration ${expected}` : `all ${addresses.length} servers report configuration ${expected}`;
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    throw new Error(`${pending.map((address) => `http://${address}/heartbeat`).join(", ")} did not switch to configuration ${expected} (last: ${seen})`);
  },
};
