// Reading and writing rows of `certificates`, and what the load balancer serves.
import { randomUUID, X509Certificate } from "node:crypto";
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { certificates, instances, type Certificate, type CertificateChallenge, type CertificateProblem, type CertificateSource } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptJson, encryptJson } from "@/server/crypto/secrets";
import type { IssuedCertificate } from "@/server/infra/certificate-issuers/issuer";
import { truncateErrorText } from "@/server/observability/error-text";

export const RENEW_WITHIN_DAYS = 30;

/** The leaf's validity window, read from the chain itself. */
function validityOf(chainPem: string) {
  const leaf = new X509Certificate(chainPem);
  return { notBefore: new Date(leaf.validFrom), notAfter: new Date(leaf.validTo) };
}

/** The row for these exact names, issued by us (ACME or self-signed), for this instance or the shared wildcard. */
export async function issuedCertificateFor(q: Queryable, instanceId: string | null, hostnames: string[]) {
  return q.query.certificates.findFirst({
    where: and(
      instanceId ? eq(certificates.instanceId, instanceId) : isNull(certificates.instanceId),
      eq(certificates.hostnames, hostnames),
      ne(certificates.source, "client"),
    ),
    orderBy: desc(certificates.createdAt),
  });
}

/** Stores a freshly issued certificate: refreshes `existingId` in place (renewal) or inserts a row. */
export async function saveIssuedCertificate(
  q: Queryable,
  input: { existingId?: string; instanceId: string | null; hostnames: string[]; source: CertificateSource; challenge: CertificateChallenge | null },
  issued: IssuedCertificate,
): Promise<Certificate> {
  // The row's id is chosen before it is written: the private key is sealed to it.
  const id = input.existingId ?? randomUUID();
  const values = {
    instanceId: input.instanceId,
    hostnames: input.hostnames,
    source: input.source,
    challenge: input.challenge,
    status: "active" as const,
    chainPem: issued.chainPem,
    privateKeySealed: encryptJson({ privateKeyPem: issued.privateKeyPem }, sealedCells.certificateKey({ id, instanceId: input.instanceId })),
    ...validityOf(issued.chainPem),
    lastError: null,
    lastAttemptAt: new Date(),
    updatedAt: new Date(),
  };
  if (input.existingId) {
    const [row] = await q.update(certificates).set(values).where(eq(certificates.id, input.existingId)).returning();
    if (row) return row;
  }
  const [row] = await q.insert(certificates).values({ id, ...values }).returning();
  return row!;
}

/**
 * Records a failed issuance. An existing row keeps its chain: a renewal that failed still serves the current
 * certificate until it expires (the expiry alert fires long before).
 */
export async function recordIssuanceFailure(
  q: Queryable,
  input: { existingId?: string; instanceId: string | null; hostnames: string[]; source: CertificateSource; challenge: CertificateChallenge | null },
  issuerProblem: CertificateProblem,
): Promise<Certificate> {
  // The CA's detail, or a driver's error text: it may be any size.
  const problem = { ...issuerProblem, detail: truncateErrorText(issuerProblem.detail) };
  if (input.existingId) {
    const [row] = await q
      .update(certificates)
      .set({ status: "failed", lastError: problem, lastAttemptAt: new Date(), updatedAt: new Date() })
      .where(eq(certificates.id, input.existingId))
      .returning();
    if (row) return row;
  }
  const [row] = await q
    .insert(certificates)
    .values({ ...input, status: "failed", lastError: problem, lastAttemptAt: new Date() })
    .returning();
  return row!;
}

export function privateKeyOf(row: Pick<Certificate, "id" | "instanceId" | "privateKeySealed">): string {
  if (!row.privateKeySealed) throw new Error("the certificate has no private key");
  return decryptJson<{ privateKeyPem: string }>(row.privateKeySealed, sealedCells.certificateKey(row)).privateKeyPem;
}

/** Certificates we issue that expire within `RENEW_WITHIN_DAYS` of `now` (client certificates are the client's to renew). */
export async function certificatesDueForRenewal(q: Queryable, now = new Date()) {
  const horizon = new Date(now.getTime() + RENEW_WITHIN_DAYS * 86_400_000);
  return q
    .select()
    .from(certificates)
    .where(and(ne(certificates.source, "client"), isNotNull(certificates.notAfter), lt(certificates.notAfter, horizon)))
    .orderBy(asc(certificates.notAfter));
}

type ServedCertificate = { id: string; instanceId: string | null; hostnames: string[]; chainPem: string; privateKeyPem: string; notAfter: Date };

/**
 * What the load balancer serves (its crt-list): every unexpired certificate with a chain, of live instances and
 * the shared wildcard. Ordered by preference for names several cover: a client's own certificate first, then
 * the instance's, then the shared wildcard; among equals, the one that lasts longest.
 */
export async function certificatesToServe(q: Queryable, now = new Date()): Promise<ServedCertificate[]> {
  const rows = await q
    .select({ certificate: certificates })
    .from(certificates)
    .leftJoin(instances, eq(instances.id, certificates.instanceId))
    .where(
      and(
        isNotNull(certificates.chainPem),
        isNotNull(certificates.privateKeySealed),
        gt(certificates.notAfter, now),
        or(isNull(certificates.instanceId), inArray(instances.status, ["provisioning", "running", "suspended", "failed"])),
      ),
    )
    .orderBy(
      sql`case when ${certificates.source} = 'client' then 0 when ${certificates.instanceId} is not null then 1 else 2 end`,
      desc(certificates.notAfter),
    );
  return rows.map(({ certificate }) => ({
    id: certificate.id,
    instanceId: certificate.instanceId,
    hostnames: certificate.hostnames,
    chainPem: certificate.chainPem!,
    privateKeyPem: privateKeyOf(certificate),
    notAfter: certificate.notAfter!,
  }));
}

/** The instance page's view: names, validity and the last problem, never the key. */
export async function instanceCertificateView(q: Queryable, instanceId: string) {
  return q
    .select({
      id: certificates.id,
      hostnames: certificates.hostnames,
      source: certificates.source,
      challenge: certificates.challenge,
      status: certificates.status,
      notBefore: certificates.notBefore,
      notAfter: certificates.notAfter,
      lastError: certificates.lastError,
      lastAttemptAt: certificates.lastAttemptAt,
    })
    .from(certificates)
    .where(eq(certificates.instanceId, instanceId))
    .orderBy(asc(certificates.createdAt));
}

/** For the expiry gauge: one row per hostname of each unexpired certificate with a chain (never its key). */
export async function certificateExpiries(q: Queryable, now = new Date()) {
  const rows = await q
    .select({ hostnames: certificates.hostnames, instanceId: certificates.instanceId, subdomain: instances.subdomain, notAfter: certificates.notAfter })
    .from(certificates)
    .leftJoin(instances, eq(instances.id, certificates.instanceId))
    .where(and(isNotNull(certificates.chainPem), gt(certificates.notAfter, now)));
  return rows.flatMap((row) =>
    row.hostnames.map((hostname) => ({ hostname, instanceId: row.instanceId ?? "", subdomain: row.subdomain ?? "", notAfter: row.notAfter! })),
  );
}
