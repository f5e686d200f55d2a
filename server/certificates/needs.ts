// Which certificates cover an instance's names. Every hosted instance answers on one-label names under the hosting
// domain (acme, studio-acme, preview-acme, apps-acme .<base>), all covered by `*.<base>`: one wildcard shared by
// every instance, issued once and renewed once, so no hosted instance ever orders a certificate of its own (a CA's
// weekly per-domain limit never holds up onboarding). An instance still on the nested names (studio.acme.<base>,
// two labels deep) keeps its own `*.acme.<base>` until the redeploy that moves it. A verified custom domain gets its
// four names through HTTP-01 (the client's DNS is not ours to write).
import type { CertificateChallenge } from "@/db/schema";
import { hostnamesUnder, nestedPlatformHostnames, type HostnameSource } from "@/server/instances/hostnames";

export type CertificateNeed = { instanceId: string | null; hostnames: string[]; challenge: CertificateChallenge; covers: string };

function sharedWildcardNeed(baseDomain: string): CertificateNeed {
  return { instanceId: null, hostnames: [`*.${baseDomain}`], challenge: "dns-01", covers: `every hosted instance's names under ${baseDomain}` };
}

export function certificateNeeds(instance: HostnameSource & { id: string }, baseDomain: string): CertificateNeed[] {
  if (!instance.subdomain) throw new Error("This instance has no subdomain yet (it is a draft).");
  const needs: CertificateNeed[] = [sharedWildcardNeed(baseDomain)];
  if (instance.hasNestedHostnames) {
    const nested = nestedPlatformHostnames(instance.subdomain, baseDomain);
    needs.push({ instanceId: instance.id, hostnames: [`*.${nested.lms}`], challenge: "dns-01", covers: `${nested.studio}, ${nested.preview} and ${nested.apps}` });
  }
  if (instance.customDomain && instance.customDomainStatus === "verified") {
    needs.push({ instanceId: instance.id, hostnames: Object.values(hostnamesUnder(instance.customDomain)), challenge: "http-01", covers: instance.customDomain });
  }
  return needs;
}
