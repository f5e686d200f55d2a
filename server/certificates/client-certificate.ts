// Checks a certificate a client uploads for its custom domain, one specific message per thing that is wrong.
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";

export class ClientCertificateError extends Error {}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export type ValidatedCertificate = { chainPem: string; privateKeyPem: string; notBefore: Date; notAfter: Date };

function parseChain(chainPem: string): X509Certificate[] {
  const blocks = chainPem.match(CERTIFICATE_BLOCK);
  if (!blocks) throw new ClientCertificateError("No certificate found: paste the certificate in PEM form, starting with -----BEGIN CERTIFICATE-----.");
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new ClientCertificateError(`Certificate ${index + 1} of the chain is not a valid PEM certificate (${(error as Error).message}).`);
    }
  });
}

function parseKey(privateKeyPem: string): KeyObject {
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(privateKeyPem)) {
    throw new ClientCertificateError("The private key is encrypted with a passphrase: upload it unencrypted (it is stored encrypted here).");
  }
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(privateKeyPem)) {
    throw new ClientCertificateError("No private key found: paste the key in PEM form, starting with -----BEGIN PRIVATE KEY-----.");
  }
  try {
    return createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new ClientCertificateError(`The private key is not a valid PEM private key (${(error as Error).message}).`);
  }
}

/**
 * Accepts the chain (leaf first, then intermediates) and key when: both are PEM, the key is the leaf's, each
 * certificate is signed by the next one up to the last one given, every certificate is valid at `now`, and the
 * leaf covers every hostname. Trust in the last certificate given is the client's CA's business, not checked.
 */
export function validateClientCertificate(input: { chainPem: string; privateKeyPem: string; hostnames: string[]; now?: Date }): ValidatedCertificate {
  const now = input.now ?? new Date();
  const chain = parseChain(input.chainPem);
  const key = parseKey(input.privateKeyPem);
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(key)) throw new ClientCertificateError("The private key does not belong to the certificate (the first one in the chain).");
  for (let i = 0; i + 1 < chain.length; i++) {
    const [child, parent] = [chain[i]!, chain[i + 1]!];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new ClientCertificateError(
        `The chain is broken: certificate ${i + 1} (${child.subject.replace(/\n/g, ", ")}) is not signed by certificate ${i + 2} (${parent.subject.replace(/\n/g, ", ")}). Order it leaf first, then each issuer.`,
      );
    }
  }
  chain.forEach((certificate, index) => {
    const what = index === 0 ? "The certificate" : `Certificate ${index + 1} of the chain`;
    if (new Date(certificate.validFrom) > now) throw new ClientCertificateError(`${what} is not valid yet: it starts on ${new Date(certificate.validFrom).toISOString()}.`);
    if (new Date(certificate.validTo) <= now) throw new ClientCertificateError(`${what} expired on ${new Date(certificate.validTo).toISOString()}.`);
  });
  const missing = input.hostnames.filter((hostname) => !leaf.checkHost(hostname, { subject: "never" }));
  if (missing.length) {
    throw new ClientCertificateError(
      `The certificate does not cover ${missing.join(", ")} (it covers: ${leaf.subjectAltName?.replace(/DNS:/g, "") || "no DNS names"}).`,
    );
  }
  const chainPem = chain.map((certificate) => certificate.toString().trim()).join("\n") + "\n";
  return {
    chainPem,
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    notBefore: new Date(leaf.validFrom),
    notAfter: new Date(leaf.validTo),
  };
}
