// The root CAs a client's own certificate must chain up to: the public roots Node ships (the ones browsers
// broadly agree on), plus any named in LYCEUM_CLIENT_CERT_EXTRA_CAS (a test CA in tests).
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

let publicRoots: X509Certificate[] | undefined;
const extraRootsByFile = new Map<string, X509Certificate[]>();

function extraRoots(file: string): X509Certificate[] {
  let roots = extraRootsByFile.get(file);
  if (!roots) {
    let pem: string;
    try {
      pem = readFileSync(file, "utf8");
    } catch (error) {
      throw new Error(`read LYCEUM_CLIENT_CERT_EXTRA_CAS (${file}): ${(error as Error).message}`);
    }
    roots = (pem.match(CERTIFICATE_BLOCK) ?? []).map((block) => new X509Certificate(block));
    extraRootsByFile.set(file, roots);
  }
  return roots;
}

/** Node's public roots, and those in `extraCasFile` when it is set. */
export function trustedRootCertificates(extraCasFile?: string): X509Certificate[] {
  publicRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return extraCasFile ? [...publicRoots, ...extraRoots(extraCasFile)] : publicRoots;
}
