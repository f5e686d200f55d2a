// Moving an instance from the nested names (studio.acme.<base>, each instance certified by a wildcard of its own) to
// the one-label names (studio-acme.<base>, covered by the shared *.<base>). A redeploy does it: its new deployment is
// rendered with the one-label names, so once that deployment serves, the nested names are retired (their DNS
// records, their claims, the instance's own wildcard, revoked) and the load balancer stops routing them.
import { eq } from "drizzle-orm";
import { instances } from "@/db/schema";
import { certificateNeeds } from "@/server/certificates/needs";
import { describeRevocations } from "@/server/certificates/revocation";
import { claimInstanceHostnames, HostnameClaimError, portalHostnameOf } from "@/server/domains/hostname-claims";
import { nestedPlatformHostnames } from "@/server/instances/hostnames";
import { PermanentStepError } from "../runner/errors";
import type { PipelineStep, StepContext } from "../runner/types";
import { removeStaleCertificates } from "./certificates";

function claimNames(ctx: StepContext, hasNestedHostnames: boolean) {
  return ctx.db.transaction(async (tx) => {
    // Cleared in the same transaction as the claims: the load balancer, rendered from the database, then stops routing them.
    if (!hasNestedHostnames) await tx.update(instances).set({ hasNestedHostnames: false }).where(eq(instances.id, ctx.instance.id));
    await claimInstanceHostnames(
      tx,
      ctx.instance.id,
      { subdomain: ctx.instance.subdomain, customDomain: ctx.instance.customDomain, hasNestedHostnames },
      { baseDomain: ctx.env.LYCEUM_BASE_DOMAIN, portalHostname: portalHostnameOf(ctx.env.publicUrl) },
    );
  });
}

/**
 * Before anything is deployed: the instance holds its one-label names (the migration claimed them, unless an
 * older instance's subdomain is one of them; then nothing can be done by retrying, and staff are told which).
 */
export const claimOneLabelHostnames: PipelineStep = {
  name: "claim_hostnames",
  title: "Claim the instance's hostnames",
  timeoutMs: 30_000,
  async run(ctx) {
    if (!ctx.instance.hasNestedHostnames) return "the instance already uses its one-label names";
    try {
      await claimNames(ctx, true);
    } catch (error) {
      if (error instanceof HostnameClaimError) {
        throw new PermanentStepError(`${error.hostname}, which this instance needs for its one-label names, belongs to another instance or the platform; the instance keeps its nested names`);
      }
      throw error;
    }
    return `holds its one-label names beside the nested ones it serves until the new deployment takes over`;
  },
};

/** After the new deployment serves: the nested names go (DNS records, claims, the instance's own wildcard). */
export const retireNestedHostnames: PipelineStep = {
  name: "retire_nested_hostnames",
  title: "Retire the old nested hostnames",
  timeoutMs: 120_000,
  async run(ctx) {
    const { subdomain } = ctx.instance;
    // A retry after the flag was cleared still finds what is left below (records in the ledger, the certificate).
    if (!subdomain) return "the instance has no subdomain";
    const nested = nestedPlatformHostnames(subdomain, ctx.env.LYCEUM_BASE_DOMAIN);
    if (ctx.instance.hasNestedHostnames) await claimNames(ctx, false);
    const retiredNames = new Set([nested.studio, nested.preview, nested.apps]);
    let removedRecords = 0;
    // A custom domain's CNAMEs may still point at the nested names (studio.<domain> → studio.acme.<base>): their A
    // records stay, harmless without a certificate or a route, until teardown walks the ledger.
    const isDnsKept = Boolean(ctx.instance.customDomain);
    for (const entry of isDnsKept ? [] : await ctx.ledger.list("dns.record")) {
      if (!retiredNames.has(entry.details.name)) continue;
      ctx.signal.throwIfAborted();
      await ctx.infra.dns.removeRecordSet(entry.details.name, entry.details.type, ctx.signal);
      await ctx.ledger.markDeleted(entry.id);
      removedRecords++;
    }
    const moved = { ...ctx.instance, hasNestedHostnames: false };
    const revoked = await removeStaleCertificates({ ...ctx, instance: moved }, certificateNeeds(moved, ctx.env.LYCEUM_BASE_DOMAIN));
    if (!ctx.instance.hasNestedHostnames && removedRecords === 0 && revoked.length === 0) return "the instance already uses its one-label names";
    return `${nested.studio}, ${nested.preview} and ${nested.apps} retired: ${removedRecords} DNS record(s) and ${revoked.length} certificate(s) removed${describeRevocations(revoked)}${isDnsKept ? ` (their DNS records stay: ${ctx.instance.customDomain}'s CNAMEs may point at them)` : ""}`;
  },
};
