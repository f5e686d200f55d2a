// Checks a certificate a client uploads for its custom domain, one specific message per thing that is wrong.
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";

export class ClientCertificateError extends Error {}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

type ValidatedCertificate = { chainPem: string; privateKeyPem: string; notBefore: Date; notAfter: Date };

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

const subjectOf = (certificate: X509Certificate) => certificate.subject.replace(/\n/g, ", ");

/** A certificate of `roots` that is `certificate` itself or signed it (and is valid at `now`), if any. */
function trustedRootFor(certificate: X509Certificate, roots: X509Certificate[], now: Date): X509Certificate | undefined {
  return roots.find(
    (root) =>
      root.fingerprint256 === certificate.fingerprint256 ||
      (root.subject === certificate.issuer &&
        certificate.checkIssued(root) &&
        certificate.verify(root.publicKey) &&
        new Date(root.validFrom) <= now &&
        now < new Date(root.validTo)),
  );
}

/** The leaf's subject alternative names as written ("DNS:" dropped from host names, other kinds kept as they are). */
function alternativeNames(leaf: X509Certificate): string[] {
  if (!leaf.subjectAltName) return [];
  return leaf.subjectAltName.split(", ").map((entry) => (entry.startsWith("DNS:") ? entry.slice(4).toLowerCase() : entry));
}

/**
 * Accepts the chain (leaf first, then intermediates) and key when: both are PEM, the key is the leaf's, each
 * certificate is signed by the next, every issuer in it is a CA, the last one is or is signed by one of
 * `trustedRoots`, every certificate is valid at `now`, and the leaf covers every one of `hostnames` and names
 * nothing else but `wildcards`. A certificate naming hosts the instance does not serve is refused even though
 * the load balancer would only serve it for the instance's own names: nobody needs one, and it is how a
 * certificate for someone else's names would arrive.
 */
export function validateClientCertificate(input: {
  chainPem: string;
  privateKeyPem: string;
  hostnames: string[];
  wildcards?: string[];
  trustedRoots: X509Certificate[];
  now?: Date;
}): ValidatedCertificate {
  const now = input.now ?? new Date();
  const chain = parseChain(input.chainPem);
  const key = parseKey(input.privateKeyPem);
  const leaf = chain[0]!;
  if (!leaf.checkPrivateKey(key)) throw new ClientCertificateError("The private key does not belong to the certificate (the first one in the chain).");
  for (let i = 0; i + 1 < chain.length; i++) {
    const [child, parent] = [chain[i]!, chain[i + 1]!];
    if (!child.checkIssued(parent) || !child.verify(parent.publicKey)) {
      throw new ClientCertificateError(
        `The chain is broken: certificate ${i + 1} (${subjectOf(child)}) is not signed by certificate ${i + 2} (${subjectOf(parent)}). Order it leaf first, then each issuer.`,
      );
    }
    if (!parent.ca) throw new ClientCertificateError(`Certificate ${i + 2} of the chain (${subjectOf(parent)}) is not a certificate authority: it cannot issue certificate ${i + 1}.`);
  }
  chain.forEach((certificate, index) => {
    const what = index === 0 ? "The certificate" : `Certificate ${index + 1} of the chain`;
    if (new Date(certificate.validFrom) > now) throw new ClientCertificateError(`${what} is not valid yet: it starts on ${new Date(certificate.validFrom).toISOString()}.`);
    if (new Date(certificate.validTo) <= now) throw new ClientCertificateError(`${what} expired on ${new Date(certificate.validTo).toISOString()}.`);
  });
  const top = chain.at(-1)!;
  if (!trustedRootFor(top, input.trustedRoots, now)) {
    throw new ClientCertificateError(
      `The certificate is not issued by a trusted certificate authority: the chain ends at ${subjectOf(top)}, issued by ${top.issuer.replace(/\n/g, ", ")}, which browsers do not trust. Use a certificate from a public CA and include its intermediate certificates, leaf first.`,
    );
  }
  const missing = input.hostnames.filter((hostname) => !leaf.checkHost(hostname, { subject: "never" }));
  if (missing.length) {
    throw new ClientCertificateError(
      `The certificate does not cover ${missing.join(", ")} (it covers: ${leaf.subjectAltName?.replace(/DNS:/g, "") || "no DNS names"}).`,
    );
  }
  const allowed = new Set([...input.hostnames, ...(input.wildcards ?? [])].map((name) => name.toLowerCase()));
  const extra = alternativeNames(leaf).filter((name) => !allowed.has(name));
  if (extra.length) {
    throw new ClientCertificateError(
      `The certificate also names ${extra.join(", ")}, which this instance does not serve: use one for exactly ${[...allowed].join(", ")}.`,
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
