// What the browser may see of an instance being registered or edited: never the sealed SMTP password.
import type { Instance, User } from "@/db/schema";
import { defaultStaticPages } from "@/server/branding/static-pages";
import { DEFAULT_COLOURS } from "@/server/branding/branding";
import { displayDomain } from "@/server/domains/display";
import { requiredDnsRecords } from "@/server/domains/dns-records";
import { env } from "@/server/env";
import { platformHostnames } from "./hostnames";
import { isContactEmailVerified, registrationProblems } from "./registration-check";

/** An instance row without its secrets: safe to return from any procedure. */
export function publicInstance(instance: Instance) {
  const { smtpPasswordSealed, ...rest } = instance;
  return { ...rest, hasSmtpPassword: smtpPasswordSealed !== null };
}

export type PublicInstance = ReturnType<typeof publicInstance>;

export function draftView(instance: Instance, owner: User) {
  const config = env();
  return {
    instance: publicInstance(instance),
    branding: { ...DEFAULT_COLOURS, acceptLowContrast: false, ...instance.branding },
    staticPages: { ...defaultStaticPages(), ...instance.staticPages },
    hostnames: instance.subdomain ? platformHostnames(instance.subdomain, config.LYCEUM_BASE_DOMAIN) : null,
    customDomainShown: instance.customDomain ? displayDomain(instance.customDomain) : null,
    dnsRecords:
      instance.customDomain && instance.subdomain
        ? requiredDnsRecords(
            { subdomain: instance.subdomain, customDomain: instance.customDomain, domainChallengeToken: instance.domainChallengeToken },
            { baseDomain: config.LYCEUM_BASE_DOMAIN, ingressIpv4: config.LYCEUM_INGRESS_IPV4 },
          ).map((record) => ({ ...record, nameShown: displayDomain(record.name) }))
        : [],
    isContactEmailVerified: isContactEmailVerified(instance, owner),
    isAccountVerified: owner.emailVerified !== null,
    accountEmail: owner.email,
    problems: registrationProblems(instance, owner),
  };
}

export type DraftView = ReturnType<typeof draftView>;
