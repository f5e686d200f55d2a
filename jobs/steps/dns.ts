// The instance's DNS records under the hosting domain: each platform name (acme, studio-acme, preview-acme,
// apps-acme) points at the load balancer.
import { platformHostnames } from "@/server/instances/hostnames";
import type { DnsRecordType } from "@/server/infra/dns/driver";
import type { PipelineStep } from "../runner/types";
import { countCreated, countRemoved, removeRecorded } from "./ledger-walk";

const RECORD_TTL_SECONDS = 300;

export const publishDns: PipelineStep = {
  name: "publish_dns",
  title: "Publish DNS records",
  timeoutMs: 60_000,
  async run(ctx) {
    const { dns } = ctx.infra;
    if (!ctx.instance.subdomain) throw new Error("the instance has no subdomain");
    const names = Object.values(platformHostnames(ctx.instance.subdomain, ctx.env.LYCEUM_BASE_DOMAIN));
    const address = ctx.env.LYCEUM_INGRESS_IPV4;
    let created = 0;
    for (const name of names) {
      ctx.signal.throwIfAborted();
      const type: DnsRecordType = "A";
      // Recorded first: a timeout half-way never leaves a record the ledger does not know.
      await ctx.ledger.record("dns.record", `${name} ${type}`, { driver: dns.name, zone: dns.zone, name, type, values: [address] });
      try {
        const { isNew } = await dns.ensureRecordSet({ name, type, values: [address], ttl: RECORD_TTL_SECONDS }, ctx.signal);
        if (isNew) created++;
      } catch (error) {
        throw new Error(`publish ${type} ${name} with the ${dns.name} DNS driver: ${(error as Error).message}`);
      }
    }
    const custom = ctx.instance.customDomain && ctx.instance.customDomainStatus === "verified"
      ? `; ${ctx.instance.customDomain} is the client's zone, verified to point here`
      : "";
    return `${countCreated(created, names.length, "A record")} (${dns.name}) for ${names.join(", ")} → ${address}${custom}`;
  },
};

export const removeDns: PipelineStep = {
  name: "remove_dns",
  title: "Delete DNS records",
  timeoutMs: 60_000,
  async run(ctx) {
    const { dns } = ctx.infra;
    const result = await removeRecorded(ctx, "dns.record", async (entry) => {
      const { name, type, driver } = entry.details;
      if (driver !== dns.name) throw new Error(`DNS record ${entry.externalId} is in the ${driver} DNS driver, but ${dns.name} is configured`);
      return dns.removeRecordSet(name, type, ctx.signal);
    });
    return countRemoved(result, "DNS record");
  },
};
