// Which addresses an instance may send as through the instance mail relay: its configured sender, its contact
// address (Open edX's CONTACT_EMAIL), and any address at one of its own hostnames (Tutor sends bulk email as
// no-reply@<LMS host>). Anything else is another instance's or someone else's name.
import type { Instance } from "@/db/schema";
import { allPlatformHostnames, hostnamesUnder } from "@/server/instances/hostnames";

type SenderSource = Pick<Instance, "emailSettings" | "contactEmail" | "subdomain" | "customDomain" | "customDomainStatus"> & { hasNestedHostnames?: boolean };

export function allowedSenders(instance: SenderSource, baseDomain: string): { addresses: Set<string>; domains: Set<string> } {
  const addresses = new Set<string>();
  const configured = instance.emailSettings?.senderAddress;
  if (configured) addresses.add(configured.toLowerCase());
  if (instance.contactEmail) addresses.add(instance.contactEmail.toLowerCase());
  const domains = new Set<string>();
  if (instance.subdomain) for (const host of allPlatformHostnames({ ...instance, subdomain: instance.subdomain }, baseDomain)) domains.add(host);
  if (instance.customDomain && instance.customDomainStatus === "verified") {
    for (const host of Object.values(hostnamesUnder(instance.customDomain))) domains.add(host);
  }
  return { addresses, domains };
}

export function isAllowedSender(allowed: ReturnType<typeof allowedSenders>, address: string): boolean {
  const normalised = address.trim().toLowerCase();
  const at = normalised.lastIndexOf("@");
  if (at <= 0) return false;
  return allowed.addresses.has(normalised) || allowed.domains.has(normalised.slice(at + 1));
}
