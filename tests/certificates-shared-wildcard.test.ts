// One certificate for the whole hosted fleet, against a real ACME CA (Pebble, DNS-01 through challtestsrv): every
// hosted instance answers on one-label names under the hosting domain (acme, studio-acme, preview-acme, apps-acme),
// so 200 instances provisioned side by side make Pebble take exactly one order, the shared `*.<base>`, and HAProxy
// serves that one certificate for all of them. Only a custom domain orders a certificate of its own. An instance
// deployed with the old nested names (studio.acme.<base>, its own `*.acme.<base>`) keeps them until its redeploy
// retires them. Orders are counted at Pebble, from its own log.
import { X509Certificate } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { runningInstanceRow, startPebbleEdge } from "./helpers/pebble-edge";
import { personalOrganisationOf } from "@/server/organisations/personal";

await isolatedDatabase();
const { pebble, drivers, stop: stopPebbleEdge } = await startPebbleEdge();

const { db, closeDb } = await import("@/db");
const { certificates, instanceHostnames, instanceResources, instances } = await import("@/db/schema");
const { env } = await import("@/server/env");
const { certificatesToServe } = await import("@/server/certificates/store");
const { routedHostnames } = await import("@/server/instances/hostnames");
const { loadBalancerStateFromDb } = await import("@/server/infra/load-balancer/state-from-db");
const { renderHaproxy } = await import("@/server/infra/load-balancer/render-haproxy");
const { ensureCertificates } = await import("@/jobs/steps/certificates");
const { publishDns } = await import("@/jobs/steps/dns");
const { claimOneLabelHostnames, retireNestedHostnames } = await import("@/jobs/steps/hostname-move");
const { uniqueSuffix } = await import("./helpers/accounts");
const { makeVerifiedUser } = await import("./helpers/registration");
const { stepContext } = await import("./helpers/step-context");

const BASE = "lyceum.test";
const FLEET_SIZE = 200;

afterAll(async () => {
  await stopPebbleEdge();
  await closeDb();
});

/** The load balancer's files for the fleet as it stands, with the real certificate store behind them. */
async function renderedLoadBalancer() {
  const served = await certificatesToServe(db);
  const state = await loadBalancerStateFromDb(db, {
    baseDomain: BASE,
    httpBind: "127.0.0.1:8080",
    httpsBind: "127.0.0.1:8443",
    portalAddress: "127.0.0.1:3000",
    defaultCertificate: { chainPem: served[0]!.chainPem, keyPem: served[0]!.privateKeyPem },
    siteHostnames: routedHostnames,
    certificates: async () => served.map(({ instanceId, hostnames, chainPem, privateKeyPem }) => ({ instanceId, hostnames, chainPem, keyPem: privateKeyPem })),
  });
  const rendered = renderHaproxy(state, { configDir: "/etc/haproxy/lyceum", certDir: "/etc/haproxy/certs", adminSocket: null });
  return { state, crtList: rendered.files["crt-list.txt"]!.trim().split("\n").filter(Boolean), hostsMap: rendered.files["hosts.map"]! };
}

describe("the shared wildcard", () => {
  it(`covers ${FLEET_SIZE} instances provisioned side by side with one order at Pebble`, { timeout: 240_000 }, async () => {
    const ordersBefore = pebble.ordersAdded();
    const owner = await makeVerifiedUser();
    const run = uniqueSuffix();
    const organisationId = await personalOrganisationOf(db, owner.id);
    const fleet = await db
      .insert(instances)
      .values(Array.from({ length: FLEET_SIZE }, (_, i) => ({ ownerId: owner.id, organisationId, name: `School ${i}`, subdomain: `school-${i}-${run}`, status: "running" as const })))
      .returning();

    // As many at a time as a worker runs (its Postgres pool is sized for that): each wants the shared wildcard at once.
    const concurrency = env().WORKER_CONCURRENCY;
    for (let start = 0; start < fleet.length; start += concurrency) {
      await Promise.all(
        fleet.slice(start, start + concurrency).map(async (instance) => {
          const ctx = await stepContext(instance, drivers);
          await publishDns.run(ctx);
          await ensureCertificates.run(ctx);
        }),
      );
    }

    expect(pebble.ordersAdded() - ordersBefore).toBe(1);
    const rows = await db.select().from(certificates);
    expect(rows.map((row) => [row.instanceId, row.hostnames, row.status])).toEqual([[null, [`*.${BASE}`], "active"]]);
    const leaf = new X509Certificate(rows[0]!.chainPem!);
    const records = (await drivers.dns.listRecordSets()).filter((record) => record.type === "A");
    expect(records).toHaveLength(FLEET_SIZE * 4);
    for (const instance of fleet) {
      const names = routedHostnames({ ...instance, subdomain: instance.subdomain! }, BASE);
      expect(names).toEqual([`${instance.subdomain}.${BASE}`, `studio-${instance.subdomain}.${BASE}`, `preview-${instance.subdomain}.${BASE}`, `apps-${instance.subdomain}.${BASE}`]);
      for (const name of names) {
        expect(leaf.checkHost(name), name).toBe(`*.${BASE}`);
        expect(records.some((record) => record.name === name)).toBe(true);
      }
    }

    // HAProxy serves that one certificate for every hosted name: one crt-list line, 800 names routed.
    const { crtList, hostsMap } = await renderedLoadBalancer();
    expect(crtList).toHaveLength(1);
    expect(crtList[0]).toMatch(new RegExp(`^/etc/haproxy/certs/[0-9a-f]{32}\\.pem \\*\\.${BASE.replace(".", "\\.")}$`));
    expect(hostsMap.trim().split("\n")).toHaveLength(FLEET_SIZE * 4);
  });

  it("orders a certificate of its own only for a verified custom domain, through HTTP-01", async () => {
    const ordersBefore = pebble.ordersAdded();
    const { instance } = await runningInstanceRow(`own-${uniqueSuffix()}`, `school-${uniqueSuffix()}.example`);
    const said = await ensureCertificates.run(await stepContext(instance, drivers));
    expect(said).toContain(`*.${BASE}: valid until`);
    expect(said).toContain(`${instance.customDomain}, studio.${instance.customDomain}, preview.${instance.customDomain}, apps.${instance.customDomain}: issued (acme, http-01)`);
    expect(pebble.ordersAdded() - ordersBefore).toBe(1);
    const own = await db.select().from(certificates).where(eq(certificates.instanceId, instance.id));
    expect(own.map((row) => row.hostnames)).toEqual([[instance.customDomain, `studio.${instance.customDomain}`, `preview.${instance.customDomain}`, `apps.${instance.customDomain}`]]);
  });
});

describe("an instance deployed with the nested names", () => {
  it("keeps them routed and certified until its redeploy, which retires them and revokes its own wildcard", async () => {
    const { instance: fresh } = await runningInstanceRow(`old-${uniqueSuffix()}`);
    const sub = fresh.subdomain!;
    const nested = [`studio.${sub}.${BASE}`, `preview.${sub}.${BASE}`, `apps.${sub}.${BASE}`];
    // As it was left before the one-label names: the flag the migration set, its nested claims, records and wildcard.
    const [instance] = await db.update(instances).set({ hasNestedHostnames: true }).where(eq(instances.id, fresh.id)).returning();
    await db.insert(instanceHostnames).values(nested.map((hostname, i) => ({ hostname, instanceId: instance!.id, kind: (["studio", "preview", "apps"] as const)[i]!, source: "subdomain" as const })));
    const ctx = await stepContext(instance!, drivers);
    for (const name of nested) {
      await ctx.ledger.record("dns.record", `${name} A`, { driver: drivers.dns.name, zone: drivers.dns.zone, name, type: "A", values: [env().LYCEUM_INGRESS_IPV4] });
      await drivers.dns.ensureRecordSet({ name, type: "A", values: [env().LYCEUM_INGRESS_IPV4], ttl: 300 });
    }
    const ordersBefore = pebble.ordersAdded();
    expect(await ensureCertificates.run(ctx)).toContain(`*.${sub}.${BASE}: issued (acme, dns-01)`);
    expect(pebble.ordersAdded() - ordersBefore).toBe(1);
    const [own] = await db.select().from(certificates).where(eq(certificates.instanceId, instance!.id));
    let site = (await renderedLoadBalancer()).state.sites.find((s) => s.instanceId === instance!.id)!;
    expect(site.hostnames).toEqual(expect.arrayContaining([...nested, `studio-${sub}.${BASE}`]));

    // The redeploy: first it claims the one-label names, then (its new deployment serving) retires the nested ones.
    expect(await claimOneLabelHostnames.run(ctx)).toContain("holds its one-label names");
    const claimed = (await db.select().from(instanceHostnames).where(eq(instanceHostnames.instanceId, instance!.id))).map((row) => row.hostname);
    expect(claimed).toEqual(expect.arrayContaining([...nested, `studio-${sub}.${BASE}`, `apps-${sub}.${BASE}`]));
    await publishDns.run(ctx);
    const retireCtx = await stepContext((await db.query.instances.findFirst({ where: eq(instances.id, instance!.id) }))!, drivers);
    expect(await retireNestedHostnames.run(retireCtx)).toBe(
      `${nested.join(", ").replace(/, (?=[^,]*$)/, " and ")} retired: 3 DNS record(s) and 1 certificate(s) removed (1 revoked at the CA)`,
    );

    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance!.id) }))!.hasNestedHostnames).toBe(false);
    expect((await pebble.certificateStatus(own!.chainPem!))?.Status).toBe("Revoked");
    expect(await db.select().from(certificates).where(eq(certificates.instanceId, instance!.id))).toEqual([]);
    const names = (await drivers.dns.listRecordSets()).map((record) => record.name);
    for (const name of nested) expect(names).not.toContain(name);
    expect(names).toContain(`studio-${sub}.${BASE}`);
    const claims = (await db.select().from(instanceHostnames).where(eq(instanceHostnames.instanceId, instance!.id))).map((row) => row.hostname).sort();
    expect(claims).toEqual([`${sub}.${BASE}`, `apps-${sub}.${BASE}`, `preview-${sub}.${BASE}`, `studio-${sub}.${BASE}`].sort());
    const live = await db.select().from(instanceResources).where(eq(instanceResources.instanceId, instance!.id));
    expect(live.filter((row) => row.deletedAt === null && row.kind === "dns.record" && nested.some((name) => row.externalId.startsWith(name)))).toEqual([]);
    site = (await renderedLoadBalancer()).state.sites.find((s) => s.instanceId === instance!.id)!;
    expect(site.hostnames).toEqual([`${sub}.${BASE}`, `studio-${sub}.${BASE}`, `preview-${sub}.${BASE}`, `apps-${sub}.${BASE}`]);
    // A retry finds nothing left to do.
    expect(await retireNestedHostnames.run(await stepContext((await db.query.instances.findFirst({ where: eq(instances.id, instance!.id) }))!, drivers))).toBe(
      "the instance already uses its one-label names",
    );
  });

  it("keeps the nested DNS records of an instance with a custom domain, whose CNAMEs may point at them", async () => {
    const { instance: fresh } = await runningInstanceRow(`cname-${uniqueSuffix()}`, `college-${uniqueSuffix()}.example`);
    const sub = fresh.subdomain!;
    const [instance] = await db.update(instances).set({ hasNestedHostnames: true }).where(eq(instances.id, fresh.id)).returning();
    const ctx = await stepContext(instance!, drivers);
    const studio = `studio.${sub}.${BASE}`;
    await ctx.ledger.record("dns.record", `${studio} A`, { driver: drivers.dns.name, zone: drivers.dns.zone, name: studio, type: "A", values: [env().LYCEUM_INGRESS_IPV4] });
    await drivers.dns.ensureRecordSet({ name: studio, type: "A", values: [env().LYCEUM_INGRESS_IPV4], ttl: 300 });
    await ensureCertificates.run(ctx);
    expect(await retireNestedHostnames.run(ctx)).toContain(`0 DNS record(s) and 1 certificate(s) removed (1 revoked at the CA) (their DNS records stay: ${instance!.customDomain}'s CNAMEs may point at them)`);
    expect((await drivers.dns.listRecordSets()).map((record) => record.name)).toContain(studio);
    // The custom domain's own certificate stays; only the nested wildcard went.
    expect((await db.select().from(certificates).where(eq(certificates.instanceId, instance!.id))).map((row) => row.challenge)).toEqual(["http-01"]);
  });
});
