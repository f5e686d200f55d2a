// Which names each certificate is served for. A crt-list line's SNI filters decide that, not the certificate's
// own names: a certificate is bound only to names its owner serves, so no instance's certificate (an upload, or a
// row left from before the checks) is ever presented for another instance's or the portal's names.
import type { CertificateToServe, LoadBalancedSite } from "./state";

/** A certificate as the store hands it over: with the instance it belongs to (null: the shared wildcard). */
export type OwnedCertificate = CertificateToServe & { instanceId: string | null };

/** Whether a certificate's name (possibly `*.parent`) covers `hostname`: exactly, or by a wildcard one label deep. */
export function coversHostname(pattern: string, hostname: string): boolean {
  const [name, candidate] = [pattern.toLowerCase(), hostname.toLowerCase()];
  if (!name.startsWith("*.")) return name === candidate;
  const dot = candidate.indexOf(".");
  return dot > 0 && candidate.slice(dot + 1) === name.slice(2);
}

const isUnder = (hostname: string, domain: string) => hostname === domain || hostname.endsWith(`.${domain}`);

/**
 * Each certificate with its names narrowed to its owner's: an instance's to the names of its site that it
 * covers, the shared wildcard's to names under the hosting domain. A certificate left with no name is dropped,
 * since a crt-list line without filters would be served for whatever names the certificate itself carries.
 * Sites never share a name, so after this no two instances' certificates share one either, and the order of
 * the list only ranks an instance's own certificates against each other (a client's first).
 */
export function bindCertificatesToOwners(certificates: OwnedCertificate[], sites: LoadBalancedSite[], baseDomain: string): CertificateToServe[] {
  const namesByInstance = new Map(sites.map((site) => [site.instanceId, site.hostnames]));
  const bound: CertificateToServe[] = [];
  for (const { instanceId, hostnames, chainPem, keyPem } of certificates) {
    const names =
      instanceId === null
        ? hostnames.filter((name) => isUnder(name.replace(/^\*\./, ""), baseDomain))
        : (namesByInstance.get(instanceId) ?? []).filter((hostname) => hostnames.some((pattern) => coversHostname(pattern, hostname)));
    if (names.length) bound.push({ hostnames: names, chainPem, keyPem });
  }
  return bound;
}
