// A certificate authority of the test's own (root and issuing CA), trusted by the portal through
// LYCEUM_CLIENT_CERT_EXTRA_CAS, for tests of clients' own certificates. Call it before the configuration is read.
import { webcrypto } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as x509 from "@peculiar/x509";

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;
const crypto = webcrypto as Crypto;

type Authority = { cert: x509.X509Certificate; keys: CryptoKeyPair };

function pemOfKey(der: ArrayBuffer) {
  const base64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN PRIVATE KEY-----\n${base64}\n-----END PRIVATE KEY-----\n`;
}

async function keyPair() {
  return (await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function authority(name: string, parent?: Authority): Promise<Authority> {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: "01",
      subject: `CN=${name}`,
      issuer: parent ? parent.cert.subject : `CN=${name}`,
      notBefore: new Date(Date.now() - 30 * DAY_MS),
      notAfter: new Date(Date.now() + 3650 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: (parent?.keys ?? keys).privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    },
    crypto,
  );
  return { cert, keys };
}

let serial = 2;

/** A leaf for `names` signed by `issuer`, with the chain a client would paste (leaf, then the issuing CA). */
async function leafFor(issuer: Authority, chainTail: string[], names: string[]) {
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: (serial++).toString(16).padStart(2, "0"),
      subject: `CN=${names[0]}`,
      issuer: issuer.cert.subject,
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + 90 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: "dns" as const, value })))],
    },
    crypto,
  );
  const privateKeyPem = pemOfKey(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { chainPem: `${[cert.toString("pem"), ...chainTail].join("\n")}\n`, privateKeyPem };
}

/**
 * A root (written to a PEM file and named in LYCEUM_CLIENT_CERT_EXTRA_CAS) and an issuing CA below it;
 * `issue` signs leaves through the issuing CA, `issueUntrusted` through a root nobody trusts.
 */
export async function trustedTestCa() {
  const root = await authority("Lyceum Test Root CA");
  const issuing = await authority("Lyceum Test Issuing CA", root);
  const stranger = await authority("Untrusted Root CA");
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "lyceum-test-ca-")), "roots.pem");
  writeFileSync(file, root.cert.toString("pem") + "\n");
  process.env.LYCEUM_CLIENT_CERT_EXTRA_CAS = file;
  return {
    rootPem: root.cert.toString("pem"),
    issue: (names: string[]) => leafFor(issuing, [issuing.cert.toString("pem")], names),
    issueUntrusted: (names: string[]) => leafFor(stranger, [stranger.cert.toString("pem")], names),
  };
}
