// The instance's TLS certificates: the shared hosting-domain wildcard (issued once), its own wildcard below its
// subdomain, and its verified custom domain's names, unless the client uploaded a certificate for them.
import { and, eq, gt, ne } from "drizzle-orm";
import { certificates } from "@/db/schema";
import { CertificateFailedError, issueCertificate, problemText, withCertificateLock } from "@/server/certificates/issuance";
import { certificateNeeds, type CertificateNeed } from "@/server/certificates/needs";
import { describeRevocations, revokeUnneededCertificate, type RevocationOutcome } from "@/server/certificates/revocation";
import { issuedCertificateFor, RENEW_WITHIN_DAYS } from "@/server/certificates/store";
import { appendInstanceEvent } from "@/server/instances/events";
import type { PipelineStep, StepContext } from "../runner/types";
import { countRemoved, removeRecorded } from "./ledger-walk";

export const ensureCertificates: PipelineStep = {
  name: "certificates",
  title: "Obtain TLS certificates",
  timeoutMs: 300_000,
  async run(ctx) {
    const issuer = ctx.infra.certificates;
    const now = new Date();
    const renewBy = new Date(now.getTime() + RENEW_WITHIN_DAYS * 86_400_000);
    const said: string[] = [];
    const needs = certificateNeeds(ctx.instance, ctx.env.LYCEUM_BASE_DOMAIN);
    for (const need of needs) {
      ctx.signal.throwIfAborted();
      const names = need.hostnames.join(", ");
      if (need.instanceId) {
        const clientOwn = await ctx.db.query.certificates.findFirst({
          where: and(eq(certificates.instanceId, need.instanceId), eq(certificates.source, "client"), gt(certificates.notAfter, now)),
        });
        if (clientOwn && need.hostnames.every((name) => clientOwn.hostnames.includes(name))) {
          said.push(`${names}: the client's own certificate`);
          continue;
        }
      }
      try {
        const outcome = await withCertificateLock(ctx.db, need.hostnames, async () => {
          // Read under the lock: another worker may have just issued it.
          const existing = await issuedCertificateFor(ctx.db, need.instanceId, need.hostnames);
          if (existing?.status === "active" && existing.notAfter && existing.notAfter > renewBy) return { row: existing, isNew: false };
          return { row: await issueCertificate(ctx.db, issuer, need, existing, ctx.signal), isNew: true };
        });
        const { row } = outcome;
        if (need.instanceId) await ctx.ledger.record("tls.certificate", row.id, { hostnames: row.hostnames, source: row.source });
        said.push(
          outcome.isNew
            ? `${names}: issued (${issuer.name}${row.challenge ? `, ${row.challenge}` : ""}) until ${row.notAfter!.toISOString().slice(0, 10)}`
            : `${names}: valid until ${row.notAfter!.toISOString().slice(0, 10)}`,
        );
      } catch (error) {
        if (error instanceof CertificateFailedError) {
          if (need.instanceId) await ctx.ledger.record("tls.certificate", error.certificate.id, { hostnames: need.hostnames, source: issuer.name });
          await appendInstanceEvent(ctx.db, {
            instanceId: ctx.instance.id,
            operationId: ctx.operation.id,
            kind: "log",
            step: "certificates",
            level: "error",
            message: `The certificate for ${names} was not issued: ${problemText(error.problem)}`,
            data: { certificate: { id: error.certificate.id, hostnames: need.hostnames, problem: error.problem } },
          });
        }
        throw error;
      }
    }
    const pruned = await removeStaleCertificates(ctx, needs);
    return (
      said.join("; ") +
      (pruned.length ? `; removed ${pruned.length} certificate(s) for names the instance no longer serves${describeRevocations(pruned)}` : "")
    );
  },
};

/**
 * Certificates we issued for names the instance no longer has (a custom domain removed or replaced): revoked
 * at the CA, then deleted. Says how each revocation went.
 */
export async function removeStaleCertificates(ctx: StepContext, needs: CertificateNeed[]): Promise<RevocationOutcome[]> {
  const wanted = new Set(needs.filter((need) => need.instanceId).map((need) => need.hostnames.join(",")));
  const rows = await ctx.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.instanceId, ctx.instance.id), ne(certificates.source, "client")));
  const stale = rows.filter((row) => !wanted.has(row.hostnames.join(",")));
  const outcomes: RevocationOutcome[] = [];
  for (const row of stale) {
    // The names may now belong to someone else: the old certificate for them must stop being trusted.
    outcomes.push(await revokeUnneededCertificate(ctx.infra.certificates, row, "cessationOfOperation"));
    await ctx.db.delete(certificates).where(eq(certificates.id, row.id));
    const entry = await ctx.ledger.find("tls.certificate", row.id);
    if (entry) await ctx.ledger.markDeleted(entry.id);
  }
  return outcomes;
}

/**
 * Teardown: each certificate of the instance is revoked at its CA (ACME ones still valid; a repeat finds it
 * already revoked, which is fine) before its row and private key are deleted, so a retried step never leaves
 * a deleted certificate unrevoked.
 */
export const removeCertificates: PipelineStep = {
  name: "remove_certificates",
  title: "Revoke and delete TLS certificates",
  async run(ctx) {
    const outcomes: RevocationOutcome[] = [];
    const revokeAndDelete = async (id: string) => {
      const [row] = await ctx.db.select().from(certificates).where(eq(certificates.id, id));
      if (!row) return false;
      outcomes.push(await revokeUnneededCertificate(ctx.infra.certificates, row, "cessationOfOperation"));
      await ctx.db.delete(certificates).where(eq(certificates.id, id));
      return true;
    };
    const result = await removeRecorded(ctx, "tls.certificate", async (entry) => ({ existed: await revokeAndDelete(entry.externalId) }));
    // Uploaded certificates and failed attempts belong to the instance too (a failed renewal still holds the
    // chain it had, which is revoked like any other); the shared wildcard (no instance) stays.
    const others = await ctx.db.select({ id: certificates.id }).from(certificates).where(eq(certificates.instanceId, ctx.instance.id));
    for (const other of others) await revokeAndDelete(other.id);
    return `${countRemoved(result, "certificate")}${others.length ? ` and ${others.length} uploaded or failed one(s)` : ""}${describeRevocations(outcomes)}`;
  },
};
