// Self-signed certificates: the development default when no ACME directory is configured (Let's Encrypt cannot
// issue for *.localhost anyway), and the load balancer's default certificate. Browsers warn, but the load balancer
// has a certificate for every name it serves.
import { webcrypto } from "node:crypto";
import type { CertificateIssuer } from "./issuer";

const VALID_FOR_DAYS = 90;

function toPem(der: ArrayBuffer, label: string) {
  const body = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export async function makeSelfSignedCertificate(hostnames: string[], options: { notBefore?: Date; notAfter?: Date } = {}) {
  if (!hostnames.length) throw new Error("a certificate needs at least one name");
  // Loaded on first use: the X.509 writer and its ASN.1 modules are ~3 MB and hundreds of files at start-up.
  const x509 = await import("@peculiar/x509");
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString("hex").replace(/^[89a-f]/, "1"),
      name: `CN=${hostnames[0]}`,
      notBefore,
      notAfter: options.notAfter ?? new Date(notBefore.getTime() + VALID_FOR_DAYS * 86_400_000),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.SubjectAlternativeNameExtension(hostnames.map((value) => ({ type: "dns" as const, value }))),
      ],
    },
    webcrypto as Crypto,
  );
  const privateKeyPem = toPem(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
  return { chainPem: certificate.toString("pem") + "\n", privateKeyPem };
}

export function createSelfSignedIssuer(): CertificateIssuer {
  return {
    name: "self_signed",
    issue: ({ hostnames }) => makeSelfSignedCertificate(hostnames),
  };
}
