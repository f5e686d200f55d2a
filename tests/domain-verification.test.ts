// Custom domain checks through a real DNS server on loopback holding right, wrong and missing records, and
// the verify_domain job run by a real worker.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { startDnsServer, type DnsRecords } from "./helpers/dns-server";

await isolatedDatabase();
const dns = await startDnsServer();
process.env.LYCEUM_DNS_RESOLVER = dns.address;

const { db, closeDb } = await import("@/db");
const { instances } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { requiredDnsRecords } = await import("@/server/domains/dns-records");
const { checkDomainRecords, makeResolver } = await import("@/server/domains/verify");
const { apiAs, uniqueSuffix } = await import("./helpers/accounts");
const { makeVerifiedUser, saveDraft } = await import("./helpers/registration");
const { eventually } = await import("./helpers/waiting");

const config = { baseDomain: "localhost", ingressIpv4: "127.0.0.1" };

function rightRecords(subdomain: string, domain: string, token: string): DnsRecords {
  return {
    [domain]: { CNAME: `${subdomain}.localhost` },
    [`studio.${domain}`]: { CNAME: `studio-${subdomain}.localhost` },
    [`preview.${domain}`]: { A: ["127.0.0.1"] }, // an A record to the ingress instead of a CNAME is fine
    [`apps.${domain}`]: { CNAME: `apps-${subdomain}.localhost` },
    [`_lyceum-challenge.${domain}`]: { TXT: [token] },
  };
}

let worker: Awaited<ReturnType<typeof startWorker>>;
beforeAll(async () => {
  worker = await startWorker({ concurrency: 1, quiet: true });
});
afterAll(async () => {
  await worker?.stop();
  await dns.close();
  await closeDb();
});

describe("checking a custom domain's DNS records", () => {
  const resolver = () => makeResolver(dns.address);
  const instance = { subdomain: "acme", customDomain: "", domainChallengeToken: "token-123" };

  it("verifies a domain whose records are all right", async () => {
    const domain = `right-${uniqueSuffix()}.example`;
    Object.assign(dns.records, rightRecords("acme", domain, "token-123"));
    const check = await checkDomainRecords(resolver(), requiredDnsRecords({ ...instance, customDomain: domain }, config));
    expect(check).toEqual({ isVerified: true });
  });

  it("says which records are wrong", async () => {
    const domain = `wrong-${uniqueSuffix()}.example`;
    Object.assign(dns.records, {
      ...rightRecords("acme", domain, "token-123"),
      [`studio.${domain}`]: { CNAME: "elsewhere.example" },
      [`preview.${domain}`]: { A: ["192.0.2.7"] },
      [`_lyceum-challenge.${domain}`]: { TXT: ["someone-elses-token"] },
    });
    const check = await checkDomainRecords(resolver(), requiredDnsRecords({ ...instance, customDomain: domain }, config));
    expect(check).toEqual({
      isVerified: false,
      problems: [
        `studio.${domain} points to elsewhere.example, not to studio-acme.localhost`,
        `preview.${domain} has the address 192.0.2.7, not a CNAME to preview-acme.localhost or the address 127.0.0.1`,
        `the TXT record at _lyceum-challenge.${domain} is "someone-elses-token", not "token-123"`,
      ],
    });
  });

  it("says which records are missing", async () => {
    const domain = `missing-${uniqueSuffix()}.example`;
    const check = await checkDomainRecords(resolver(), requiredDnsRecords({ ...instance, customDomain: domain }, config));
    expect(check.isVerified).toBe(false);
    expect(!check.isVerified && check.problems).toEqual([
      `no CNAME record at ${domain} (it should point to acme.localhost)`,
      `no CNAME record at studio.${domain} (it should point to studio-acme.localhost)`,
      `no CNAME record at preview.${domain} (it should point to preview-acme.localhost)`,
      `no CNAME record at apps.${domain} (it should point to apps-acme.localhost)`,
      `no TXT record at _lyceum-challenge.${domain}`,
    ]);
  });

  it("reports a resolver that does not answer as such", async () => {
    const silent = makeResolver("127.0.0.1:9", 300);
    await expect(checkDomainRecords(silent, requiredDnsRecords({ ...instance, customDomain: "x.example" }, config))).rejects.toThrow(
      /the DNS server did not answer/,
    );
  });
});

describe("the verify_domain job", () => {
  it("reports pending with what is wrong, then verified once the records are right", async () => {
    const owner = await makeVerifiedUser();
    const id = await saveDraft(owner);
    const subdomain = (await db.query.instances.findFirst({ where: eq(instances.id, id) }))!.subdomain!;
    const domain = `live-${uniqueSuffix()}.example`;
    await apiAs(owner).registration.saveDomain({ id, values: { subdomain, customDomain: domain } });

    const pending = await eventually(async () => {
      const row = await db.query.instances.findFirst({ where: eq(instances.id, id) });
      return row?.customDomainCheckedAt ? row : undefined;
    }, 30_000, "the first check");
    expect(pending.customDomainStatus).toBe("pending");
    expect(pending.customDomainProblem).toContain(`no CNAME record at ${domain}`);

    Object.assign(dns.records, rightRecords(subdomain, domain, pending.domainChallengeToken));
    await apiAs(owner).registration.checkDomain({ id });
    const verified = await eventually(async () => {
      const row = await db.query.instances.findFirst({ where: eq(instances.id, id) });
      return row?.customDomainStatus === "verified" ? row : undefined;
    }, 30_000, "verification");
    expect(verified.customDomainProblem).toBeNull();
    const events = await db.query.instanceEvents.findMany({ where: (t, { eq }) => eq(t.instanceId, id) });
    expect(events.map((event) => event.message)).toContain(`${domain} is verified: its DNS records are right.`);
  });

  it("gives up after 72 hours, saying what is still wrong", async () => {
    const owner = await makeVerifiedUser();
    const id = await saveDraft(owner);
    const subdomain = (await db.query.instances.findFirst({ where: eq(instances.id, id) }))!.subdomain!;
    const domain = `late-${uniqueSuffix()}.example`;
    await apiAs(owner).registration.saveDomain({ id, values: { subdomain, customDomain: domain } });
    await eventually(async () => {
      const row = await db.query.instances.findFirst({ where: eq(instances.id, id) });
      return row?.customDomainCheckedAt ? row : undefined;
    }, 30_000, "the first check");
    await db.update(instances).set({ customDomainSince: new Date(Date.now() - 73 * 60 * 60 * 1000) }).where(eq(instances.id, id));
    await apiAs(owner).registration.checkDomain({ id });
    const failed = await eventually(async () => {
      const row = await db.query.instances.findFirst({ where: eq(instances.id, id) });
      return row?.customDomainStatus === "failed" ? row : undefined;
    }, 30_000, "giving up");
    expect(failed.customDomainProblem).toContain(`no TXT record at _lyceum-challenge.${domain}`);
  });
});
