// A client's own certificate for its custom domain: checked, stored sealed, and served instead of ours.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, ne } from "drizzle-orm";
import type { Database } from "@/db";
import { certificates, instanceHostnames, instances, type Instance } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { encryptJson } from "@/server/crypto/secrets";
import { displayDomain } from "@/server/domains/display";
import { env } from "@/server/env";
import { appendInstanceEvent } from "@/server/instances/events";
import { hostnamesUnder } from "@/server/instances/hostnames";
import { ledgerFor } from "@/server/instances/ledger";
import { ClientCertificateError, validateClientCertificate } from "./client-certificate";
import { trustedRootCertificates } from "./trusted-roots";

export async function acceptClientCertificate(q: Database, instance: Instance, input: { chainPem: string; privateKeyPem: string }, now = new Date()) {
  if (!instance.customDomain) {
    throw new ClientCertificateError("Set a custom domain first: the names under the hosting domain are covered by Lyceum's own certificates.");
  }
  // Until its DNS check passes, nothing shows the domain is the client's: a certificate for it proves nothing
  // of the kind (anyone can buy one for a domain they control elsewhere, or mint one for a domain they do not).
  if (instance.customDomainStatus !== "verified") {
    throw new ClientCertificateError(
      `${displayDomain(instance.customDomain)} is not verified yet: add the DNS records shown on the Domain page, wait for the check to pass, then upload your certificate.`,
    );
  }
  const hostnames = Object.values(hostnamesUnder(instance.customDomain));
  const valid = validateClientCertificate({
    ...input,
    hostnames,
    // The usual wildcard a client holds for its domain; the load balancer serves it only for the names above.
    wildcards: [`*.${instance.customDomain}`],
    trustedRoots: trustedRootCertificates(env().LYCEUM_CLIENT_CERT_EXTRA_CAS),
    now,
  });
  return q.transaction(async (tx) => {
    // The domain checked above is still the instance's, and still verified (the row stays locked until commit).
    const [current] = await tx.select().from(instances).where(eq(instances.id, instance.id)).for("update");
    if (current?.customDomain !== instance.customDomain || current.customDomainStatus !== "verified") {
      throw new ClientCertificateError("The instance's custom domain changed while the certificate was being checked: upload it again.");
    }
    // A name another instance holds (a clash from before names were claimed) is that instance's to serve.
    const [heldElsewhere] = await tx
      .select({ hostname: instanceHostnames.hostname })
      .from(instanceHostnames)
      .where(and(inArray(instanceHostnames.hostname, hostnames), ne(instanceHostnames.instanceId, instance.id)))
      .limit(1);
    if (heldElsewhere) throw new ClientCertificateError(`${displayDomain(heldElsewhere.hostname)} is used by another Lyceum instance: this instance cannot hold a certificate for it.`);
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
    await ledgerFor(tx, instance.id).record("tls.certificate", row!.id, { hostnames, source: "client" });
    await appendInstanceEvent(tx, {
      instanceId: instance.id,
      kind: "log",
      level: "success",
      message: `Your certificate for ${hostnames.join(", ")} is accepted, valid until ${valid.notAfter.toISOString().slice(0, 10)}.`,
    });
    return { id: row!.id, hostnames, notAfter: valid.notAfter };
  });
}
