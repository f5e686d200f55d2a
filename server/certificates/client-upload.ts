// A client's own certificate for its custom domain: checked, stored sealed, and served instead of ours.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db";
import { certificates, type Instance } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { encryptJson } from "@/server/crypto/secrets";
import { appendInstanceEvent } from "@/server/instances/events";
import { hostnamesUnder } from "@/server/instances/hostnames";
import { ledgerFor } from "@/server/instances/ledger";
import { ClientCertificateError, validateClientCertificate } from "./client-certificate";

export const CLIENT_CERTIFICATE_LEDGER_KIND = "tls.certificate";

export async function acceptClientCertificate(q: Database, instance: Instance, input: { chainPem: string; privateKeyPem: string }, now = new Date()) {
  if (!instance.customDomain) {
    throw new ClientCertificateError("Set a custom domain first: the names under the hosting domain are covered by Lyceum's own certificates.");
  }
  const hostnames = Object.values(hostnamesUnder(instance.customDomain));
  const valid = validateClientCertificate({ ...input, hostnames, now });
  return q.transaction(async (tx) => {
    // One uploaded certificate per instance: a new upload replaces the previous one.
    await tx.delete(certificates).where(and(eq(certificates.instanceId, instance.id), eq(certificates.source, "client")));
    // The row's id is chosen before it is written: the private key is sealed to it.
    const id = randomUUID();
    const [row] = await tx
      .insert(certificates)
      .values({
        id,
        instanceId: instance.id,
        hostnames,
        source: "client",
        status: "active",
        chainPem: valid.chainPem,
        privateKeySealed: encryptJson({ privateKeyPem: valid.privateKeyPem }, sealedCells.certificateKey({ id, instanceId: instance.id })),
        notBefore: valid.notBefore,
        notAfter: valid.notAfter,
        lastAttemptAt: now,
      })
      .returning();
    await ledgerFor(tx, instance.id).record(CLIENT_CERTIFICATE_LEDGER_KIND, row!.id, { hostnames, source: "client" });
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      kind: "log",
      level: "success",
      message: `Your certificate for ${hostnames.join(", ")} is accepted, valid until ${valid.notAfter.toISOString().slice(0, 10)}.`,
    });
    return { id: row!.id, hostnames, notAfter: valid.notAfter };
  });
}
