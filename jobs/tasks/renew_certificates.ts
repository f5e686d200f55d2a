// Daily: renews every certificate Lyceum issued that expires within 30 days. Each one is renewed on its own, so
// one refusal (its problem document stored on the row and told to the instance's owner) stops no other.
import type { Task } from "graphile-worker";
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { certificates } from "@/db/schema";
import { CertificateFailedError, issueCertificate, problemText, withCertificateLock } from "@/server/certificates/issuance";
import { certificatesDueForRenewal, RENEW_WITHIN_DAYS } from "@/server/certificates/store";
import { infra } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { jobPayloads } from "@/server/queue/payloads";

export async function renewDueCertificates(now = new Date()) {
  const issuer = infra().certificates;
  const due = await certificatesDueForRenewal(db, now);
  const horizon = new Date(now.getTime() + RENEW_WITHIN_DAYS * 86_400_000);
  const outcome = { renewed: [] as string[], failed: [] as string[] };
  for (const row of due) {
    const names = row.hostnames.join(", ");
    try {
      // A certificate issued by the other issuer (self-signed before ACME was configured) renews with http-01 or dns-01 as planned.
      const challenge = row.challenge ?? (row.hostnames.some((name) => name.startsWith("*.")) ? "dns-01" : "http-01");
      const renewed = await withCertificateLock(db, row.hostnames, async () => {
        // Read under the lock: a provisioning step may have renewed it meanwhile.
        const current = await db.query.certificates.findFirst({ where: eq(certificates.id, row.id) });
        if (!current || (current.notAfter && current.notAfter > horizon)) return null;
        return issueCertificate(db, issuer, { instanceId: row.instanceId, hostnames: row.hostnames, challenge }, row);
      });
      if (!renewed) continue;
      outcome.renewed.push(row.id);
      if (row.instanceId) {
        await appendInstanceEvent(db, {
          instanceId: row.instanceId,
          kind: "log",
          level: "success",
          message: `The certificate for ${names} was renewed until ${renewed.notAfter!.toISOString().slice(0, 10)}.`,
        });
      }
    } catch (error) {
      outcome.failed.push(row.id);
      const detail = error instanceof CertificateFailedError ? problemText(error.problem) : (error as Error).message;
      if (row.instanceId) {
        await appendInstanceEvent(db, {
          instanceId: row.instanceId,
          kind: "log",
          level: "error",
          message: `The certificate for ${names} could not be renewed: ${detail}. The current one stays in use until ${row.notAfter!.toISOString().slice(0, 10)}.`,
          data: { certificate: { id: row.id, hostnames: row.hostnames, problem: error instanceof CertificateFailedError ? error.problem : { detail } } },
        });
      }
    }
  }
  return outcome;
}

export const renew_certificates: Task = async (payload, helpers) => {
  jobPayloads.renew_certificates.parse(payload ?? {});
  const { renewed, failed } = await renewDueCertificates();
  helpers.logger.info(`renewed ${renewed.length} certificate(s), ${failed.length} failed`);
  if (failed.length) throw new Error(`${failed.length} certificate renewal(s) failed: ${failed.join(", ")} (see last_error on each)`);
};
