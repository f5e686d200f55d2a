// Obtaining and renewing certificates: one issuance through the configured issuer, stored sealed, its failure
// recorded with the CA's problem document.
import { sql } from "drizzle-orm";
import type { Database, Queryable } from "@/db";
import type { Certificate, CertificateProblem } from "@/db/schema";
import { CertificateIssuanceError, type CertificateIssuer } from "@/server/infra/certificate-issuers/issuer";
import { truncateErrorText } from "@/server/observability/error-text";
import type { CertificateNeed } from "./needs";
import { recordIssuanceFailure, saveIssuedCertificate } from "./store";

export class CertificateFailedError extends Error {
  constructor(
    readonly certificate: Certificate,
    readonly problem: CertificateProblem,
  ) {
    super(`certificate for ${certificate.hostnames.join(", ")} was not issued: ${problemText(problem)}`);
  }
}

export function problemText(problem: CertificateProblem) {
  return `${problem.identifier ? `${problem.identifier}: ` : ""}${problem.detail}${problem.type ? ` (${problem.type})` : ""}`;
}

/** Issues the certificate `need` describes, refreshing `existing` in place; a failure is stored, then thrown. */
export async function issueCertificate(
  q: Queryable,
  issuer: CertificateIssuer,
  need: Pick<CertificateNeed, "instanceId" | "hostnames" | "challenge">,
  existing?: Pick<Certificate, "id">,
  signal?: AbortSignal,
): Promise<Certificate> {
  const target = {
    existingId: existing?.id,
    instanceId: need.instanceId,
    hostnames: need.hostnames,
    source: issuer.name,
    challenge: issuer.name === "acme" ? need.challenge : null,
  };
  try {
    const issued = await issuer.issue({ hostnames: need.hostnames, challenge: need.challenge }, signal);
    return await saveIssuedCertificate(q, target, issued);
  } catch (error) {
    if (signal?.aborted) throw error;
    const found: CertificateProblem = error instanceof CertificateIssuanceError ? error.problem : { detail: (error as Error).message };
    // Stored on the row and in the event log: the CA's or the driver's text may be any size.
    const problem = { ...found, detail: truncateErrorText(found.detail) };
    const row = await recordIssuanceFailure(q, target, problem);
    throw new CertificateFailedError(row, problem);
  }
}

/**
 * Runs `work` while holding a Postgres advisory lock on these names, so two workers never order the same
 * certificate at once (every provisioning wants the shared wildcard; the renewal job may race a step). The lock's
 * transaction only holds the lock: `work` writes through its own connection, so a recorded failure is kept.
 */
export async function withCertificateLock<T>(db: Database, hostnames: string[], work: () => Promise<T>): Promise<T> {
  const key = `lyceum.certificate:${[...hostnames].sort().join(",")}`;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
    return work();
  });
}
