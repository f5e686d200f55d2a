// Which certificates cover an instance's names. Open edX answers on <sub>.<base> and on studio., preview. and
// apps.<sub>.<base>: two labels deep. A wildcard covers one label only, so `*.<base>` (shared by every instance,
// issued once) covers each LMS name at once, and each instance gets `*.<sub>.<base>` for the names below it.
// A verified custom domain gets its four names through HTTP-01 (the client's DNS is not ours to write).
import type { CertificateChallenge } from "@/db/schema";
import { hostnamesUnder, type HostnameSource } from "@/server/instances/hostnames";

export type CertificateNeed = { instanceId: string | null; hostnames: string[]; challenge: CertificateChallenge; covers: string };

function sharedWildcardNeed(baseDomain: string): CertificateNeed {
  return { instanceId: null, hostnames: [`*.${baseDomain}`], challenge: "dns-01", covers: `every instance's ${`<subdomain>.${baseDomain}`}` };
}

export function certificateNeeds(instance: HostnameSource & { id: string }, baseDomain: string): CertificateNeed[] {
  if (!instance.subdomain) throw new Error("This instance has no subdomain yet (it is a draft).");
  const root = `${instance.subdomain}.${baseDomain}`;
  const needs: CertificateNeed[] = [
    sharedWildcardNeed(baseDomain),
    { instanceId: instance.id, hostnames: [`*.${root}`], challenge: "dns-01", covers: `studio.${root}, preview.${root} and apps.${root}` },
  ];
  if (instance.customDomain && instance.customDomainStatus === "verified") {
    needs.push({ instanceId: instance.id, hostnames: Object.values(hostnamesUnder(instance.customDomain)), challenge: "http-01", covers: instance.customDomain });
  }
  return needs;
}
