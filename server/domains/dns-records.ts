// The DNS records a client creates for a custom domain: each hostname points at the platform, and a TXT
// record carries the instance's challenge token (proof that the client controls the domain).
import { hostnamesUnder, platformHostnames, type Hostnames } from "@/server/instances/hostnames";

const CHALLENGE_LABEL = "_lyceum-challenge";

export type RequiredRecord = {
  role: keyof Hostnames | "challenge";
  type: "CNAME" | "TXT";
  name: string;
  value: string;
  /** For a CNAME at a zone apex (not allowed there), the A record that does the same. */
  alternativeA?: string;
};

export function requiredDnsRecords(
  instance: { subdomain: string; customDomain: string; domainChallengeToken: string },
  config: { baseDomain: string; ingressIpv4: string },
): RequiredRecord[] {
  const custom = hostnamesUnder(instance.customDomain);
  const target = platformHostnames(instance.subdomain, config.baseDomain);
  const records: RequiredRecord[] = (Object.keys(custom) as (keyof Hostnames)[]).map((role) => ({
    role,
    type: "CNAME",
    name: custom[role],
    value: target[role],
    alternativeA: config.ingressIpv4,
  }));
  records.push({ role: "challenge", type: "TXT", name: `${CHALLENGE_LABEL}.${instance.customDomain}`, value: instance.domainChallengeToken });
  return records;
}
