// The attack: a client registers an instance with a custom domain it does not control, or one that is another
// instance's Studio name, uploads a certificate for it, and hopes the load balancer serves that certificate
// for the victim's names. Played against the tRPC API, real Postgres and a real HAProxy read by TLS SNI.
import { randomUUID, X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import tls from "node:tls";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/server/net/free-port";
import { isolatedDatabase } from "../helpers/isolated-database";
import { trustedTestCa } from "../helpers/test-ca";

const HAPROXY = "/usr/sbin/haproxy";
const hasHaproxy = existsSync(HAPROXY);
if (!hasHaproxy) console.log(`skipping the certificate hijack test: ${HAPROXY} is missing (apt-get install haproxy)`);

await isolatedDatabase();
const ca = await trustedTestCa();
const PORTAL_HOST = "studio.campus-hosting.example";
const httpsPort = await freePort();
process.env.LYCEUM_PUBLIC_URL = `https://${PORTAL_HOST}`;
process.env.LOAD_BALANCER_DRIVER = "haproxy";
process.env.HAPROXY_BIN = HAPROXY;
process.env.HAPROXY_HTTP_PORT = String(await freePort());
process.env.HAPROXY_HTTPS_PORT = String(httpsPort);

const { db, closeDb } = await import("@/db");
const { certificates, instances } = await import("@/db/schema");
const { env } = await import("@/server/env");
const { infra, closeInfrastructure } = await import("@/server/infra");
const { haproxyDirIn, HaproxyLoadBalancer } = await import("@/server/infra/load-balancer/haproxy");
const { encryptJson } = await import("@/server/crypto/secrets");
const { sealedCells } = await import("@/server/crypto/sealed-cells");
const { apiAs, uniqueSuffix } = await import("../helpers/accounts");
const { makeVerifiedUser, saveDraft } = await import("../helpers/registration");

const namesUnder = (root: string) => [root, `studio.${root}`, `preview.${root}`, `apps.${root}`];

/** The leaf certificate HAProxy presents to a client asking for `servername`, by its SHA-256 fingerprint. */
function servedFingerprint(servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port: httpsPort, servername, rejectUnauthorized: false }, () => {
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fingerprint);
    });
    socket.on("error", reject);
  });
}

const fingerprintOf = (chainPem: string) => new X509Certificate(chainPem).fingerprint256;

/** A client's instance through the wizard, with `customDomain` if given, then made live (running). */
async function liveInstance(name: string, customDomain?: string, options: { isVerified?: boolean } = {}) {
  const owner = await makeVerifiedUser();
  const subdomain = `${name.toLowerCase().split(" ")[0]}-${uniqueSuffix()}`;
  const id = await saveDraft(owner, { name, subdomain });
  if (customDomain) await apiAs(owner).registration.saveDomain({ id, values: { subdomain, customDomain } });
  const [instance] = await db
    .update(instances)
    .set({ status: "running", ...(customDomain && options.isVerified ? { customDomainStatus: "verified" as const } : {}) })
    .where(eq(instances.id, id))
    .returning();
  return { owner, instance: instance! };
}

describe("certificate hijack through an unverified custom domain", () => {
  const victimDomain = `school-${uniqueSuffix()}.example`;
  let victim: Awaited<ReturnType<typeof liveInstance>>;
  let victimFingerprint: string;

  beforeAll(async () => {
    victim = await liveInstance("Victim School", victimDomain, { isVerified: true });
    const own = await ca.issue(namesUnder(victimDomain));
    await apiAs(victim.owner).certificates.upload({ instanceId: victim.instance.id, ...own });
    victimFingerprint = fingerprintOf(own.chainPem);
  });

  afterAll(async () => {
    await closeInfrastructure();
    await closeDb();
  });

  it("refuses a certificate for a custom domain that is not verified", async () => {
    const attackerDomain = `attacker-${uniqueSuffix()}.example`;
    const attacker = await liveInstance("Attacker Academy", attackerDomain);
    await expect(
      apiAs(attacker.owner).certificates.upload({ instanceId: attacker.instance.id, ...(await ca.issue(namesUnder(attackerDomain))) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("is not verified yet") });
    expect(await db.select().from(certificates).where(eq(certificates.instanceId, attacker.instance.id))).toEqual([]);
  });

  it("refuses a certificate whose chain does not lead to a trusted root, or that names hosts the instance does not own", async () => {
    const attackerDomain = `attacker-${uniqueSuffix()}.example`;
    const attacker = await liveInstance("Attacker Academy", attackerDomain, { isVerified: true });
    const api = apiAs(attacker.owner);
    await expect(api.certificates.upload({ instanceId: attacker.instance.id, ...(await ca.issueUntrusted(namesUnder(attackerDomain))) })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("not issued by a trusted certificate authority"),
    });
    const greedy = await ca.issue([...namesUnder(attackerDomain), `studio.${victimDomain}`]);
    await expect(api.certificates.upload({ instanceId: attacker.instance.id, ...greedy })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining(`also names studio.${victimDomain}, which this instance does not serve`),
    });
  });

  it("refuses a custom domain that is another instance's Studio name, without saying whose", async () => {
    const owner = await makeVerifiedUser();
    const subdomain = `attacker-${uniqueSuffix()}`;
    const id = await saveDraft(owner, { name: "Attacker Academy", subdomain });
    const claim = apiAs(owner).registration.saveDomain({ id, values: { subdomain, customDomain: `studio.${victimDomain}` } });
    await expect(claim).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining(`studio.${victimDomain}`) });
    const message = (await claim.catch((error: Error) => error.message)) as string;
    expect(message).not.toContain(victim.instance.subdomain!);
    expect(message).not.toContain("Victim School");
    expect((await db.query.instances.findFirst({ where: eq(instances.id, id) }))!.customDomain).toBeNull();
  });

  it("never lets the portal's own hostname, or names below it, be claimed", async () => {
    const owner = await makeVerifiedUser();
    const subdomain = `attacker-${uniqueSuffix()}`;
    const id = await saveDraft(owner, { name: "Attacker Academy", subdomain });
    // The portal itself, a domain whose Studio name is the portal, and a name below the portal.
    for (const customDomain of [PORTAL_HOST, "campus-hosting.example", `apps.${PORTAL_HOST}`]) {
      await expect(apiAs(owner).registration.saveDomain({ id, values: { subdomain, customDomain } })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining(`${PORTAL_HOST} is Lyceum's own address`),
      });
    }
  });

  it.skipIf(!hasHaproxy)("keeps serving the victim's certificate for the victim's names, whatever else is in the store", async () => {
    // What an attacker could have left from before these checks: a certificate for the victim's names (signed by
    // a trusted CA, say mis-issued) stored for its own instance, and a custom domain that is the victim's course preview name.
    const attacker = await liveInstance("Attacker Academy", `attacker-${uniqueSuffix()}.example`, { isVerified: true });
    const stolen = await ca.issue(namesUnder(victimDomain));
    const squatter = await liveInstance("Squatter Academy");
    await db.update(instances).set({ customDomain: `preview.${victimDomain}`, customDomainStatus: "verified" }).where(eq(instances.id, squatter.instance.id));
    const squatted = await ca.issue(namesUnder(`preview.${victimDomain}`));
    for (const [instanceId, certificate] of [[attacker.instance.id, stolen], [squatter.instance.id, squatted]] as const) {
      const id = randomUUID();
      await db.insert(certificates).values({
        id,
        instanceId,
        hostnames: namesUnder(victimDomain).concat(namesUnder(`preview.${victimDomain}`)),
        source: "client",
        status: "active",
        chainPem: certificate.chainPem,
        privateKeySealed: encryptJson({ privateKeyPem: certificate.privateKeyPem }, sealedCells.certificateKey({ id, instanceId })),
        notBefore: new Date(Date.now() - 86_400_000),
        // Longer-lived than the victim's: the store ranks it first among certificates for the same names.
        notAfter: new Date(Date.now() + 365 * 86_400_000),
      });
    }

    const haproxy = new HaproxyLoadBalancer(haproxyDirIn(env().LYCEUM_STATE_DIR), HAPROXY);
    try {
      await haproxy.start(await infra().loadBalancer!.stateFrom(db));
      for (const hostname of namesUnder(victimDomain)) {
        expect({ hostname, fingerprint: await servedFingerprint(hostname) }).toEqual({ hostname, fingerprint: victimFingerprint });
      }
      // The squatter's own names (below the victim's preview name) never get the stolen certificate either.
      expect(await servedFingerprint(`apps.preview.${victimDomain}`)).not.toBe(fingerprintOf(stolen.chainPem));
    } finally {
      await haproxy.stop();
    }
  });
});
