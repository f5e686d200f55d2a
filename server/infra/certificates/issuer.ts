// The TLS capability: obtain a certificate for a set of hostnames, proving control by DNS-01 or HTTP-01.
import type { CertificateChallenge, CertificateProblem } from "@/db/schema";

export type CertificateRequest = {
  /** The names to cover; wildcards (`*.acme.lyceum.example`) need DNS-01. */
  hostnames: string[];
  challenge: CertificateChallenge;
};

export type IssuedCertificate = { chainPem: string; privateKeyPem: string };

export type CertificateIssuer = {
  name: "acme" | "self_signed";
  issue(request: CertificateRequest, signal?: AbortSignal): Promise<IssuedCertificate>;
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
