import { webcrypto, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { validateClientCertificate } from "./client-certificate";

const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 86_400_000;
const now = new Date("2026-11-25T12:00:00Z");
const hostnames = ["school.example", "studio.school.example", "preview.school.example", "apps.school.example"];
const wildcards = ["*.school.example"];
const trusting = (...roots: { cert: x509.X509Certificate }[]) => roots.map((root) => new X509Certificate(root.cert.toString("pem")));

function pemOfKey(der: ArrayBuffer) {
  return `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END PRIVATE KEY-----\n`;
}

async function keys() {
  return (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
}

async function authority(name: string, parent?: { cert: x509.X509Certificate; keys: CryptoKeyPair }) {
  const own = await keys();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: "01",
      subject: `CN=${name}`,
      issuer: parent ? parent.cert.subject : `CN=${name}`,
      notBefore: new Date(now.getTime() - 365 * DAY),
      notAfter: new Date(now.getTime() + 3650 * DAY),
      publicKey: own.publicKey,
      signingKey: (parent?.keys ?? own).privateKey,
      signingAlgorithm: algorithm,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    },
    webcrypto as Crypto,
  );
  return { cert, keys: own };
}

async function leaf(issuer: { cert: x509.X509Certificate; keys: CryptoKeyPair }, options: { names?: string[]; notBefore?: Date; notAfter?: Date } = {}) {
  const own = await keys();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: "02",
      subject: "CN=school.example",
      issuer: issuer.cert.subject,
      notBefore: options.notBefore ?? new Date(now.getTime() - DAY),
      notAfter: options.notAfter ?? new Date(now.getTime() + 90 * DAY),
      publicKey: own.publicKey,
      signingKey: issuer.keys.privateKey,
      signingAlgorithm: algorithm,
      extensions: [new x509.SubjectAlternativeNameExtension((options.names ?? ["school.example", "*.school.example"]).map((value) => ({ type: "dns" as const, value })))],
    },
    webcrypto as Crypto,
  );
  return { pem: cert.toString("pem"), keyPem: pemOfKey(await webcrypto.subtle.exportKey("pkcs8", own.privateKey)) };
}

describe("a client's own certificate", () => {
  it("is accepted with its chain when everything checks out", async () => {
    const root = await authority("Client Root CA");
    const intermediate = await authority("Client Issuing CA", root);
    const good = await leaf(intermediate);
    const chainPem = [good.pem, intermediate.cert.toString("pem"), root.cert.toString("pem")].join("\n");
    const accepted = validateClientCertificate({ chainPem, privateKeyPem: good.keyPem, hostnames, wildcards, trustedRoots: trusting(root), now });
    expect(accepted.notAfter).toEqual(new Date(now.getTime() + 90 * DAY));
    expect(accepted.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(3);
    expect(accepted.privateKeyPem).toContain("BEGIN PRIVATE KEY");
    // The root may be left out: the last intermediate is then checked against the trusted roots.
    const withoutRoot = [good.pem, intermediate.cert.toString("pem")].join("\n");
    expect(validateClientCertificate({ chainPem: withoutRoot, privateKeyPem: good.keyPem, hostnames, wildcards, trustedRoots: trusting(root), now }).notAfter).toEqual(accepted.notAfter);
  });

  it("is refused, each time saying what is wrong", async () => {
    const root = await authority("Client Root CA");
    const stranger = await authority("Someone Else's CA");
    const good = await leaf(root);
    const other = await leaf(root);
    const chain = `${good.pem}\n${root.cert.toString("pem")}`;
    const check = (input: Partial<Parameters<typeof validateClientCertificate>[0]>) => () =>
      validateClientCertificate({ chainPem: chain, privateKeyPem: good.keyPem, hostnames, wildcards, trustedRoots: trusting(root), now, ...input });

    expect(check({ chainPem: "hello" })).toThrow("No certificate found: paste the certificate in PEM form");
    expect(check({ chainPem: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----" })).toThrow(
      "Certificate 1 of the chain is not a valid PEM certificate",
    );
    expect(check({ privateKeyPem: "nope" })).toThrow("No private key found");
    expect(check({ privateKeyPem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" })).toThrow("The private key is not a valid PEM private key");
    expect(check({ privateKeyPem: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----" })).toThrow(
      "The private key is encrypted with a passphrase",
    );
    expect(check({ privateKeyPem: other.keyPem })).toThrow("The private key does not belong to the certificate");
    expect(check({ chainPem: `${good.pem}\n${stranger.cert.toString("pem")}` })).toThrow(
      "The chain is broken: certificate 1 (CN=school.example) is not signed by certificate 2 (CN=Someone Else's CA)",
    );
    const expired = await leaf(root, { notBefore: new Date(now.getTime() - 100 * DAY), notAfter: new Date(now.getTime() - DAY) });
    expect(check({ chainPem: expired.pem, privateKeyPem: expired.keyPem })).toThrow(`The certificate expired on ${new Date(now.getTime() - DAY).toISOString()}`);
    const early = await leaf(root, { notBefore: new Date(now.getTime() + DAY) });
    expect(check({ chainPem: early.pem, privateKeyPem: early.keyPem })).toThrow("The certificate is not valid yet");
    const narrow = await leaf(root, { names: ["school.example", "studio.school.example"] });
    expect(check({ chainPem: narrow.pem, privateKeyPem: narrow.keyPem })).toThrow(
      "The certificate does not cover preview.school.example, apps.school.example (it covers: school.example, studio.school.example)",
    );
    expect(check({ trustedRoots: trusting(stranger) })).toThrow(
      "The certificate is not issued by a trusted certificate authority: the chain ends at CN=Client Root CA, issued by CN=Client Root CA",
    );
    const selfIssued = await leaf(root);
    expect(check({ chainPem: selfIssued.pem, privateKeyPem: selfIssued.keyPem, trustedRoots: [] })).toThrow("is not issued by a trusted certificate authority");
    const wide = await leaf(root, { names: [...hostnames, "studio.other.example", "*.example"] });
    expect(check({ chainPem: wide.pem, privateKeyPem: wide.keyPem })).toThrow(
      "The certificate also names studio.other.example, *.example, which this instance does not serve",
    );
  });
});
