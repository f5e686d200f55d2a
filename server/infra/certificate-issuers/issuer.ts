// The TLS capability: obtain a certificate for a set of hostnames, proving control by DNS-01 or HTTP-01.
import type { CertificateChallenge, CertificateProblem } from "@/db/schema";

export type CertificateRequest = {
  /** The names to cover; wildcards (`*.acme.lyceum.example`) need DNS-01. */
  hostnames: string[];
  challenge: CertificateChallenge;
};

export type IssuedCertificate = { chainPem: string; privateKeyPem: string };

/** RFC 5280 §5.3.1 reason codes an ACME revocation may carry (RFC 8555 §7.6). */
export const REVOCATION_REASONS = { unspecified: 0, keyCompromise: 1, superseded: 4, cessationOfOperation: 5 } as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export type CertificateIssuer = {
  name: "acme" | "self_signed";
  issue(request: CertificateRequest, signal?: AbortSignal): Promise<IssuedCertificate>;
  /**
   * Asks the CA to revoke a certificate it issued (the chain's leaf). Idempotent: one the CA has already
   * revoked is `already_revoked`, not an error. Absent for issuers whose certificates no one trusts (self-signed).
   */
  revoke?(chainPem: string, reason: RevocationReason): Promise<"revoked" | "already_revoked">;
};

/** An issuance the CA refused, carrying its problem document (RFC 8555 §6.7) for the instance page. */
export class CertificateIssuanceError extends Error {
  constructor(readonly problem: CertificateProblem) {
    super(`${problem.identifier ? `${problem.identifier}: ` : ""}${problem.detail}${problem.type ? ` (${problem.type})` : ""}`);
  }
}

/** Where HTTP-01 key authorizations are published: the portal serves them on /.well-known/acme-challenge/<token>. */
export type HttpChallengeStore = {
  put(challenge: { token: string; keyAuthorization: string; hostname: string }): Promise<void>;
  remove(token: string): Promise<void>;
};

/** The ACME account key, generated once per directory and kept sealed. */
export type AcmeAccountStore = {
  accountKey(directoryUrl: string, makeKey: () => Promise<string>): Promise<{ keyPem: string; accountUrl: string | null }>;
  saveAccountUrl(directoryUrl: string, accountUrl: string): Promise<void>;
};
