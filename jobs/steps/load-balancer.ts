// Keeps the load balancer in line with the database: which instances it routes, to which deployment, and
// which get the maintenance or 'being prepared' page.
import { syncLoadBalancer } from "@/server/infra/load-balancer";
import type { PipelineStep, StepContext } from "../runner/types";

/**
 * Re-renders the load balancer from the database and applies it (a seamless reload; a configuration HAProxy
 * refuses is not applied and this throws). Returns one line for the event log. Call it after anything that
 * changes what visitors should get: e.g. the redeploy pipeline after switching the active deployment.
 */
export async function syncLoadBalancerFromDb(ctx: Pick<StepContext, "db" | "infra" | "signal">): Promise<string> {
  const { loadBalancer } = ctx.infra;
  if (!loadBalancer) return "no load balancer is configured (LOAD_BALANCER_DRIVER=none): each site server answers for itself";
  const result = await syncLoadBalancer(ctx.db, loadBalancer, ctx.signal);
  return result.isChanged ? `${loadBalancer.driver.name} reloaded: ${result.summary}` : `${loadBalancer.driver.name} already up to date (${result.summary.replace(/^unchanged: /, "")})`;
}

export const syncLoadBalancerStep: PipelineStep = {
  name: "sync_load_balancer",
  title: "Update the load balancer",
  timeoutMs: 60_000,
  run: (ctx) => syncLoadBalancerFromDb(ctx),
};

/** The same, at the start of provisioning: the instance's names answer with the 'being prepared' page. */
export const showPreparingPage: PipelineStep = {
  name: "show_preparing_page",
  title: "Show visitors the 'being prepared' page",
  timeoutMs: 60_000,
  run: (ctx) => syncLoadBalancerFromDb(ctx),
};
