// Revoking the certificates an instance no longer uses, before their rows (and private keys) are deleted: a
// certificate the CA issued stays trusted by every browser until it expires, so one whose key leaked from a
// torn-down server or a backup could still be used to impersonate the names, which may have a new owner.
import type { Certificate } from "@/db/schema";
import type { CertificateIssuer, RevocationReason } from "@/server/infra/certificate-issuers/issuer";

export type RevocationOutcome = "revoked" | "already_revoked" | "not_needed" | "no_acme_issuer";

/**
 * Revokes `certificate` at its CA when it is an ACME certificate that is still valid. Self-signed certificates
 * are trusted by no one, a client's own certificate is the client's to revoke, and an expired one is dead already.
 */
export async function revokeUnneededCertificate(
  issuer: CertificateIssuer,
  certificate: Pick<Certificate, "source" | "chainPem" | "notAfter">,
  reason: RevocationReason,
  now = new Date(),
): Promise<RevocationOutcome> {
  if (certificate.source !== "acme" || !certificate.chainPem) return "not_needed";
  if (certificate.notAfter && certificate.notAfter <= now) return "not_needed";
  // Issued through an ACME directory that is no longer configured: only that CA could revoke it.
  if (!issuer.revoke) return "no_acme_issuer";
  return issuer.revoke(certificate.chainPem, reason);
}

/** "2 revoked at the CA" etc., for the step's summary. */
export function describeRevocations(outcomes: RevocationOutcome[]): string {
  const count = (outcome: RevocationOutcome) => outcomes.filter((candidate) => candidate === outcome).length;
  const parts = [
    count("revoked") && `${count("revoked")} revoked at the CA`,
    count("already_revoked") && `${count("already_revoked")} already revoked`,
    count("no_acme_issuer") && `${count("no_acme_issuer")} not revoked (no ACME directory is configured)`,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join(", ")})` : "";
}
