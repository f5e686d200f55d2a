// The last teardown step: nothing the ledger knows may be left, or the instance is not really gone.
import { eq } from "drizzle-orm";
import { deployments } from "@/db/schema";
import type { PipelineStep } from "../runner/types";

export const verifyNothingLeft: PipelineStep = {
  name: "verify_removed",
  title: "Check that no resource is left",
  async run(ctx) {
    const left = await ctx.ledger.list();
    if (left.length > 0) {
      const list = left.map((entry) => `${entry.kind} ${entry.externalId}`).join(", ");
      throw new Error(`still recorded as live, and no teardown step removes it: ${list}`);
    }
    // Asked of the compute driver itself, not the ledger: every deployment's server (active, fallback, failed)
    // must really be gone.
    const ours = await ctx.db.select({ id: deployments.id, serverId: deployments.serverId }).from(deployments).where(eq(deployments.instanceId, ctx.instance.id));
    const serverIds = new Set(ours.flatMap((deployment) => (deployment.serverId ? [deployment.serverId] : [])));
    const stillUp = (await ctx.infra.compute.listServers(ctx.signal)).filter((server) => serverIds.has(server.serverId));
    if (stillUp.length > 0) {
      throw new Error(`application servers still up: ${stillUp.map((server) => `${server.serverId} at ${server.address}`).join(", ")}`);
    }
    return `every recorded resource is removed, and none of its ${ours.length} deployment(s) has a server up`;
  },
};
