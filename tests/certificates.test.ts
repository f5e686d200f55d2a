// Certificates from a real ACME CA (Pebble on loopback, pebble-challtestsrv as its DNS): the hosting-domain
// wildcard through DNS-01, a custom domain through HTTP-01 served by the portal's own route, a refusal with the
// CA's problem document on the instance page, renewal, and teardown.
import { X509Certificate } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { runningInstanceRow, startPebbleEdge } from "./helpers/pebble-edge";
import { trustedTestCa } from "./helpers/test-ca";

await isolatedDatabase();
// Clients' own certificates come from a CA the portal trusts: this run's test CA.
const clientCa = await trustedTestCa();
const { pebble, drivers, stop: stopPebbleEdge } = await startPebbleEdge();

const { db, closeDb } = await import("@/db");
const { acmeAccounts, acmeHttpChallenges, certificates, instanceEvents, instances, instanceResources } = await import("@/db/schema");
const { env } = await import("@/server/env");
const { createAcmeIssuer } = await import("@/server/infra/certificate-issuers/acme");
const { makeSelfSignedCertificate } = await import("@/server/infra/certificate-issuers/self-signed");
const { acmeAccountStore } = await import("@/server/certificates/acme-stores");
const { issueCertificate } = await import("@/server/certificates/issuance");
const { certificatesDueForRenewal, certificatesToServe, privateKeyOf } = await import("@/server/certificates/store");
const { ensureCertificates, removeCertificates } = await import("@/jobs/steps/certificates");
const { publishDns, removeDns } = await import("@/jobs/steps/dns");
const { renewDueCertificates } = await import("@/jobs/tasks/renew_certificates");
const { apiAs } = await import("./helpers/accounts");
const { registeredInstance } = await import("./helpers/instances");
const { stepContext } = await import("./helpers/step-context");

afterAll(async () => {
  await stopPebbleEdge();
  await closeDb();
});

/** The chain is leaf-first and each certificate is signed by the next, up to Pebble's root of this run. */
async function expectChainUpToPebbleRoot(chainPem: string) {
  const chain = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!.map((pem) => new X509Certificate(pem));
  const root = new X509Certificate(await pebble.issuingRootPem());
  for (let i = 0; i < chain.length; i++) expect(chain[i]!.verify((chain[i + 1] ?? root).publicKey)).toBe(true);
  return chain[0]!;
}

describe("certificates from Pebble", () => {
  it("issues the hosting domain's wildcard through DNS-01, the TXT record set through challtestsrv and removed after", async () => {
    const row = await issueCertificate(db, drivers.certificates, { instanceId: null, hostnames: ["*.lyceum.test"], challenge: "dns-01" });
    expect(row).toMatchObject({ status: "active", source: "acme", challenge: "dns-01", instanceId: null, lastError: null });
    const leaf = await expectChainUpToPebbleRoot(row.chainPem!);
    expect(leaf.checkHost("any-school.lyceum.test")).toBe("*.lyceum.test");
    expect(leaf.checkHost("studio.any-school.lyceum.test")).toBeUndefined();
    expect(leaf.checkPrivateKey((await import("node:crypto")).createPrivateKey(privateKeyOf(row)))).toBe(true);
    expect(row.privateKeySealed).not.toContain("PRIVATE KEY");
    expect(row.notAfter!.getTime()).toBe(new Date(leaf.validTo).getTime());
    expect((await drivers.dns.listRecordSets()).filter((r) => r.type === "TXT")).toEqual([]);
    // The account key was made once and is kept sealed.
    const accounts = await db.select().from(acmeAccounts);
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({ directoryUrl: pebble.directoryUrl, accountUrl: expect.stringContaining("https://127.0.0.1") });
    expect(accounts[0]!.accountKeySealed).not.toContain("PRIVATE KEY");
  });

  it("provisions an instance's DNS records and the certificates covering all its names, its custom domain through HTTP-01", async () => {
    const { instance } = await runningInstanceRow("oak", "oak-academy.example");
    const ctx = await stepContext(instance, drivers);
    expect(await publishDns.run(ctx)).toContain("created 4 A records (challtestsrv) for oak.lyceum.test, studio-oak.lyceum.test");
    const records = await drivers.dns.listRecordSets();
    expect(records.filter((r) => r.type === "A").map((r) => r.name).sort()).toEqual(
      ["apps-oak.lyceum.test", "oak.lyceum.test", "preview-oak.lyceum.test", "studio-oak.lyceum.test"],
    );
    expect(records.find((r) => r.name === "oak.lyceum.test")).toMatchObject({ values: [env().LYCEUM_INGRESS_IPV4] });

    const said = await ensureCertificates.run(ctx);
    expect(said).toContain("*.lyceum.test: valid until"); // the shared wildcard of the previous test, not issued again
    expect(said).toContain("oak-academy.example, studio.oak-academy.example, preview.oak-academy.example, apps.oak-academy.example: issued (acme, http-01)");

    const served = await certificatesToServe(db);
    const hosts = ["oak.lyceum.test", "studio-oak.lyceum.test", "apps-oak.lyceum.test", "oak-academy.example", "studio.oak-academy.example"];
    for (const host of hosts) {
      const covering = served.find((c) => new X509Certificate(c.chainPem).checkHost(host));
      expect(covering, host).toBeDefined();
      expect(new X509Certificate(covering!.chainPem).checkPrivateKey((await import("node:crypto")).createPrivateKey(covering!.privateKeyPem))).toBe(true);
    }
    const custom = (await db.select().from(certificates).where(eq(certificates.instanceId, instance.id))).find((c) => c.challenge === "http-01")!;
    await expectChainUpToPebbleRoot(custom.chainPem!);
    // The tokens were served only while Pebble validated.
    expect(await db.select().from(acmeHttpChallenges)).toEqual([]);
    // A second run issues nothing.
    expect(await ensureCertificates.run(ctx)).not.toContain("issued");
  });

  it("a refused issuance keeps the CA's problem document and the instance page shows it", async () => {
    const { owner, instance } = await runningInstanceRow("pine", "pine-school.example");
    // An issuer whose HTTP-01 tokens never reach the portal: Pebble finds nothing at the challenge URL.
    const lost = createAcmeIssuer({
      directoryUrl: pebble.directoryUrl,
      email: "certificates@lyceum.test",
      dns: drivers.dns,
      httpChallenges: { put: async () => {}, remove: async () => {} },
      accounts: acmeAccountStore(db),
      caPem: pebble.caPem,
      pollMs: { min: 50, max: 500 },
    });
    const ctx = await stepContext(instance, { ...drivers, certificates: lost });
    await expect(ensureCertificates.run(ctx)).rejects.toThrow(/was not issued: .*pine-school\.example.*urn:ietf:params:acme:error:unauthorized/);

    const shown = await apiAs(owner).certificates.forInstance({ id: instance.id });
    const failed = shown.find((c) => c.status === "failed")!;
    expect(failed.hostnames).toContain("pine-school.example");
    expect(failed.lastError).toMatchObject({ type: "urn:ietf:params:acme:error:unauthorized", status: 403, detail: expect.stringContaining("404") });
    const events = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id));
    const event = events.find((e) => e.step === "certificates" && e.level === "error")!;
    expect(event.message).toContain("urn:ietf:params:acme:error:unauthorized");
    expect(event.data).toMatchObject({ certificate: { problem: { type: "urn:ietf:params:acme:error:unauthorized" } } });
    // Another client sees nothing of it.
    const stranger = (await registeredInstance()).owner;
    await expect(apiAs(stranger).certificates.forInstance({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("renewal takes only the certificates we issued that expire within 30 days", async () => {
    const { instance } = await runningInstanceRow("elm");
    const day = 86_400_000;
    async function insert(hostnames: string[], daysLeft: number, source: "acme" | "client") {
      const made = await makeSelfSignedCertificate(hostnames, { notBefore: new Date(Date.now() - 60 * day), notAfter: new Date(Date.now() + daysLeft * day) });
      const { saveIssuedCertificate } = await import("@/server/certificates/store");
      return saveIssuedCertificate(db, { instanceId: instance.id, hostnames, source, challenge: source === "acme" ? "dns-01" : null }, made);
    }
    const expiring = await insert(["*.elm.lyceum.test"], 10, "acme");
    const fresh = await insert(["*.fresh-elm.lyceum.test"], 60, "acme");
    const clients = await insert(["elm-client.example"], 5, "client");
    const due = (await certificatesDueForRenewal(db)).map((c) => c.id);
    expect(due).toContain(expiring.id);
    expect(due).not.toContain(fresh.id);
    expect(due).not.toContain(clients.id);

    const outcome = await renewDueCertificates();
    expect(outcome.failed).toEqual([]);
    expect(outcome.renewed).toContain(expiring.id);
    const after = Object.fromEntries((await db.select().from(certificates).where(eq(certificates.instanceId, instance.id))).map((c) => [c.id, c]));
    expect(after[expiring.id]!.notAfter!.getTime()).toBeGreaterThan(Date.now() + 60 * day);
    await expectChainUpToPebbleRoot(after[expiring.id]!.chainPem!);
    expect(after[fresh.id]!.notAfter).toEqual(fresh.notAfter);
    expect(after[clients.id]!.notAfter).toEqual(clients.notAfter);
  });

  it("exports when each served certificate expires, per hostname, for the expiry alert", async () => {
    const { registerWebGauges } = await import("@/server/observability/web-gauges");
    const { metrics } = await import("@/server/observability/metrics");
    registerWebGauges();
    const text = await metrics().registry.getSingleMetricAsString("lyceum_certificate_expiry_timestamp_seconds");
    const shared = (await db.select().from(certificates)).find((c) => c.instanceId === null)!;
    expect(text).toContain(`lyceum_certificate_expiry_timestamp_seconds{hostname="*.lyceum.test",instance_id="",subdomain=""} ${Math.floor(shared.notAfter!.getTime() / 1000)}`);
    const oak = (await db.select().from(instances).where(eq(instances.subdomain, "oak")))[0]!;
    expect(text).toMatch(new RegExp(`^lyceum_certificate_expiry_timestamp_seconds\\{hostname="studio\\.oak-academy\\.example",instance_id="${oak.id}",subdomain="oak"\\} \\d{10}$`, "m"));
    expect(text).not.toContain("PRIVATE KEY");
  });

  it("takes a client's own certificate from its owner only, and says what is wrong with a bad one", async () => {
    const { owner, instance } = await runningInstanceRow("maple", "maple-school.example");
    const names = ["maple-school.example", "studio.maple-school.example", "preview.maple-school.example", "apps.maple-school.example"];
    const good = await clientCa.issue(names);
    const staff = await (await import("./helpers/accounts")).makeUser("staff");
    await expect(apiAs(staff).certificates.upload({ instanceId: instance.id, ...good })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const narrow = await clientCa.issue(["maple-school.example"]);
    await expect(apiAs(owner).certificates.upload({ instanceId: instance.id, ...narrow })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("The certificate does not cover studio.maple-school.example"),
    });
    await expect(apiAs(owner).certificates.upload({ instanceId: instance.id, chainPem: good.chainPem, privateKeyPem: narrow.privateKeyPem })).rejects.toThrow(
      "The private key does not belong to the certificate",
    );
    const accepted = await apiAs(owner).certificates.upload({ instanceId: instance.id, ...good });
    expect(accepted.hostnames).toEqual(names);
    const served = (await certificatesToServe(db)).find((c) => c.instanceId === instance.id)!;
    expect(served.chainPem).toBe(good.chainPem);
    // With the client's certificate in place, the certificate step leaves the custom domain to it.
    expect(await ensureCertificates.run(await stepContext(instance, drivers))).toContain(`${names.join(", ")}: the client's own certificate`);
    const row = (await db.select().from(certificates).where(eq(certificates.id, accepted.id)))[0]!;
    expect(row.privateKeySealed).not.toContain("PRIVATE KEY");
    const { owner: noDomainOwner, instance: noDomain } = await runningInstanceRow("willow");
    await expect(apiAs(noDomainOwner).certificates.upload({ instanceId: noDomain.id, ...good })).rejects.toThrow("Set a custom domain first");
  });

  it("teardown removes the instance's DNS records and its own certificates, and leaves another instance's alone", async () => {
    const [doomed, kept] = await Promise.all([runningInstanceRow("birch", "birch-college.example"), runningInstanceRow("cedar")]);
    const doomedCtx = await stepContext(doomed.instance, drivers);
    const keptCtx = await stepContext(kept.instance, drivers);
    for (const ctx of [doomedCtx, keptCtx]) {
      await publishDns.run(ctx);
      await ensureCertificates.run(ctx);
    }
    const upload = await clientCa.issue(["birch-college.example", "studio.birch-college.example", "preview.birch-college.example", "apps.birch-college.example"]);
    await apiAs(doomed.owner).certificates.upload({ instanceId: doomed.instance.id, ...{ chainPem: upload.chainPem, privateKeyPem: upload.privateKeyPem } });
    const keptCertificates = await db.select().from(certificates).where(eq(certificates.instanceId, kept.instance.id));
    const keptRecords = (await drivers.dns.listRecordSets()).filter((r) => r.name.endsWith("cedar.lyceum.test"));
    expect(keptRecords).toHaveLength(4);

    const teardownCtx = await stepContext(doomed.instance, drivers);
    expect(await removeCertificates.run(teardownCtx)).toBe("removed 2 certificates (1 revoked at the CA)");
    expect(await removeDns.run(teardownCtx)).toBe("removed 4 DNS records");

    expect(await db.select().from(certificates).where(eq(certificates.instanceId, doomed.instance.id))).toEqual([]);
    expect((await drivers.dns.listRecordSets()).filter((r) => r.name.endsWith("birch.lyceum.test"))).toEqual([]);
    const live = await db.select().from(instanceResources).where(eq(instanceResources.instanceId, doomed.instance.id));
    expect(live.filter((r) => r.deletedAt === null)).toEqual([]);
    // The other instance and the shared wildcard are untouched.
    expect(await db.select().from(certificates).where(eq(certificates.instanceId, kept.instance.id))).toEqual(keptCertificates);
    expect((await drivers.dns.listRecordSets()).filter((r) => r.name.endsWith("cedar.lyceum.test"))).toEqual(keptRecords);
    expect((await certificatesToServe(db)).some((c) => c.instanceId === null && c.hostnames.includes("*.lyceum.test"))).toBe(true);
  });
});

describe("certificates over an instance's life", () => {
  it("drops the certificate of a custom domain the instance no longer has", async () => {
    const { instance } = await runningInstanceRow("aspen", "aspen-school.example");
    await ensureCertificates.run(await stepContext(instance, drivers));
    const [withoutDomain] = await db.update(instances).set({ customDomain: null, customDomainStatus: null }).where(eq(instances.id, instance.id)).returning();
    expect(await ensureCertificates.run(await stepContext(withoutDomain!, drivers))).toContain("removed 1 certificate(s) for names the instance no longer serves");
    const left = await db.select().from(certificates).where(eq(certificates.instanceId, instance.id));
    expect(left).toEqual([]);
    const ledger = await db.select().from(instanceResources).where(eq(instanceResources.instanceId, instance.id));
    expect(ledger.filter((r) => r.kind === "tls.certificate" && r.deletedAt === null)).toEqual([]);
  });

  it("orders the shared wildcard once when two instances are provisioned at the same time", async () => {
    await db.delete(certificates).where(eq(certificates.hostnames, ["*.lyceum.test"]));
    const [a, b] = await Promise.all([runningInstanceRow("ash"), runningInstanceRow("fir")]);
    const said = await Promise.all([ensureCertificates.run(await stepContext(a.instance, drivers)), ensureCertificates.run(await stepContext(b.instance, drivers))]);
    expect(said.filter((line) => line.includes("*.lyceum.test: issued"))).toHaveLength(1);
    expect(said.filter((line) => line.includes("*.lyceum.test: valid until"))).toHaveLength(1);
    expect(await db.select().from(certificates).where(eq(certificates.hostnames, ["*.lyceum.test"]))).toHaveLength(1);
  });
});
