// A deprovisioned instance's certificates must stop being trusted: deleting our copy of a certificate does not
// make browsers distrust it, and its names may be someone else's tomorrow. Certificates are issued by a real
// ACME CA (Pebble on loopback), torn down by the deprovision pipeline's step, and Pebble itself is asked whether
// it still considers them valid.
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";
import { runningInstanceRow, startPebbleEdge } from "../helpers/pebble-edge";
import { trustedTestCa } from "../helpers/test-ca";

await isolatedDatabase();
// The client's own certificate comes from a CA the portal trusts (only a trusted chain is accepted).
const clientCa = await trustedTestCa();
const { pebble, drivers, stop: stopPebbleEdge } = await startPebbleEdge();

const { db, closeDb } = await import("@/db");
const { certificates, instances } = await import("@/db/schema");
const { createSelfSignedIssuer } = await import("@/server/infra/certificate-issuers/self-signed");
const { issueCertificate } = await import("@/server/certificates/issuance");
const { ensureCertificates, removeCertificates } = await import("@/jobs/steps/certificates");
const { deprovisionPipeline } = await import("@/jobs/pipelines/deprovision");
const { apiAs } = await import("../helpers/accounts");
const { stepContext } = await import("../helpers/step-context");

afterAll(async () => {
  await stopPebbleEdge();
  await closeDb();
});

const certificatesOf = (instanceId: string) => db.select().from(certificates).where(eq(certificates.instanceId, instanceId));

async function statusAtPebble(chainPem: string) {
  const status = await pebble.certificateStatus(chainPem);
  expect(status, "Pebble knows the certificate").not.toBeNull();
  return status!;
}

describe("certificate revoked at teardown", () => {
  it("the teardown step is the deprovision pipeline's first removal (after the final backup)", () => {
    const names = deprovisionPipeline.steps.map((step) => step.name);
    expect(names[0]).toBe("final_backup");
    expect(deprovisionPipeline.steps[1]).toBe(removeCertificates);
  });

  it("a deprovisioned instance's certificates are revoked at the CA, and nobody else's are", async () => {
    const [doomed, kept] = await Promise.all([runningInstanceRow("elm", "elm-college.example"), runningInstanceRow("yew", "yew-school.example")]);
    for (const { instance } of [doomed, kept]) await ensureCertificates.run(await stepContext(instance, drivers));
    // The client also uploaded a certificate of their own for the custom domain: it is theirs, not ours to revoke.
    const upload = await clientCa.issue(["elm-college.example", "studio.elm-college.example", "preview.elm-college.example", "apps.elm-college.example"]);
    await apiAs(doomed.owner).certificates.upload({ instanceId: doomed.instance.id, chainPem: upload.chainPem, privateKeyPem: upload.privateKeyPem });
    const issued = (await certificatesOf(doomed.instance.id)).filter((row) => row.source === "acme");
    // Its hosted names are the shared wildcard's: the custom domain's is the one certificate of its own.
    expect(issued.map((row) => row.hostnames[0]).sort()).toEqual(["elm-college.example"]);
    for (const row of issued) expect((await statusAtPebble(row.chainPem!)).Status).toBe("Valid");

    const said = await removeCertificates.run(await stepContext(doomed.instance, drivers));

    for (const row of issued) {
      expect(await statusAtPebble(row.chainPem!), row.hostnames[0]).toMatchObject({ Status: "Revoked", Reason: 5 }); // cessationOfOperation
    }
    expect(said).toContain("1 revoked at the CA");
    expect(await certificatesOf(doomed.instance.id)).toEqual([]);
    // The other instance's certificate and the shared wildcard stay valid.
    const [keptCertificate] = await certificatesOf(kept.instance.id);
    expect((await statusAtPebble(keptCertificate!.chainPem!)).Status).toBe("Valid");
    const [shared] = await db.select().from(certificates).where(isNull(certificates.instanceId));
    expect((await statusAtPebble(shared!.chainPem!)).Status).toBe("Valid");
  });

  it("a teardown retried after the revocation went through finds it already revoked and finishes", async () => {
    const { instance } = await runningInstanceRow("rowan", "rowan-school.example");
    await ensureCertificates.run(await stepContext(instance, drivers));
    const [row] = await certificatesOf(instance.id);
    // The first attempt revoked it, then its worker died before deleting the row.
    expect(await drivers.certificates.revoke!(row!.chainPem!, "cessationOfOperation")).toBe("revoked");

    expect(await removeCertificates.run(await stepContext(instance, drivers))).toContain("1 already revoked");
    expect((await statusAtPebble(row!.chainPem!)).Status).toBe("Revoked");
    expect(await certificatesOf(instance.id)).toEqual([]);
  });

  it("a self-signed certificate is deleted without asking the CA", async () => {
    const { instance } = await runningInstanceRow("hazel");
    const ctx = await stepContext(instance, drivers);
    const row = await issueCertificate(db, createSelfSignedIssuer(), { instanceId: instance.id, hostnames: ["*.hazel.lyceum.test"], challenge: "dns-01" });
    await ctx.ledger.record("tls.certificate", row.id, { hostnames: row.hostnames, source: row.source });
    expect(row.source).toBe("self_signed");

    expect(await removeCertificates.run(ctx)).toBe("removed 1 certificate");
    expect(await pebble.certificateStatus(row.chainPem!)).toBeNull();
    expect(await db.select().from(certificates).where(and(eq(certificates.id, row.id)))).toEqual([]);
  });

  it("the certificate of a custom domain the instance gave up is revoked as it is dropped", async () => {
    const { instance } = await runningInstanceRow("poplar", "poplar-school.example");
    await ensureCertificates.run(await stepContext(instance, drivers));
    const custom = (await certificatesOf(instance.id)).find((row) => row.challenge === "http-01")!;
    const [withoutDomain] = await db.update(instances).set({ customDomain: null, customDomainStatus: null }).where(eq(instances.id, instance.id)).returning();

    const said = await ensureCertificates.run(await stepContext(withoutDomain!, drivers));
    expect(await statusAtPebble(custom.chainPem!)).toMatchObject({ Status: "Revoked", Reason: 5 });
    expect(said).toContain("1 revoked at the CA");
  });
});
