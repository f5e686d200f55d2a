// Every hostname of an instance, derived in one place. Under the hosting domain every name is one label deep
// (acme, studio-acme, preview-acme, apps-acme), so the one shared `*.<base>` wildcard certificate covers every hosted
// instance and onboarding never waits on a CA's per-domain weekly limit. A custom domain keeps the names below it
// (studio.<domain>, …), certified per instance. Instances deployed before the one-label names keep their nested
// ones (studio.acme.<base>) routed until a redeploy moves them (instances.hasNestedHostnames).
import type { CustomDomainStatus } from "@/db/schema";
import type { Env } from "@/server/env";

export type HostnameSource = {
  subdomain: string | null;
  customDomain?: string | null;
  customDomainStatus?: CustomDomainStatus | null;
  /** Whether the serving deployment still answers on the nested names (absent: it does not). */
  hasNestedHostnames?: boolean;
};

/** The names Open edX answers on below one root: the LMS itself, Studio, the course preview and the MFE apps. */
export function hostnamesUnder(root: string) {
  return { lms: root, studio: `studio.${root}`, preview: `preview.${root}`, apps: `apps.${root}` };
}

export type Hostnames = ReturnType<typeof hostnamesUnder>;
export const HOSTNAME_ROLES: Record<keyof Hostnames, string> = {
  lms: "Learning site (LMS)",
  studio: "Studio (course authoring)",
  preview: "Course preview",
  apps: "Apps (learner and authoring micro-frontends)",
};

/**
 * The prefixes of the one-label names. No subdomain may start with one (server/instances/subdomain.ts): `studio-acme`
 * is instance acme's Studio, never another instance's LMS.
 */
export const ONE_LABEL_PREFIXES = ["studio-", "preview-", "apps-"] as const;

/** The platform-provided names: <subdomain>.<base domain> and its Studio, preview and apps names beside it. */
export function platformHostnames(subdomain: string, baseDomain: string): Hostnames {
  return {
    lms: `${subdomain}.${baseDomain}`,
    studio: `studio-${subdomain}.${baseDomain}`,
    preview: `preview-${subdomain}.${baseDomain}`,
    apps: `apps-${subdomain}.${baseDomain}`,
  };
}

/** The names instances deployed before the one-label names answer on until their next redeploy. */
export function nestedPlatformHostnames(subdomain: string, baseDomain: string): Hostnames {
  return hostnamesUnder(`${subdomain}.${baseDomain}`);
}

/** The names a new deployment of the instance is configured with: its custom domain's once verified, else its platform names. */
export function instanceHostnames(instance: HostnameSource, baseDomain: string): Hostnames {
  if (instance.customDomain && instance.customDomainStatus === "verified") return hostnamesUnder(instance.customDomain);
  if (!instance.subdomain) throw new Error("This instance has no subdomain yet (it is a draft).");
  return platformHostnames(instance.subdomain, baseDomain);
}

/** The names the serving deployment answers on: as instanceHostnames, but the nested ones until the move. */
export function servedHostnames(instance: HostnameSource, baseDomain: string): Hostnames {
  const isCustom = instance.customDomain && instance.customDomainStatus === "verified";
  if (!isCustom && instance.hasNestedHostnames && instance.subdomain) return nestedPlatformHostnames(instance.subdomain, baseDomain);
  return instanceHostnames(instance, baseDomain);
}

/** Every platform name the instance holds: its one-label names, and its nested ones until the move. */
export function allPlatformHostnames(instance: HostnameSource & { subdomain: string }, baseDomain: string): string[] {
  const names = Object.values(platformHostnames(instance.subdomain, baseDomain));
  if (instance.hasNestedHostnames) names.push(...Object.values(nestedPlatformHostnames(instance.subdomain, baseDomain)).slice(1));
  return names;
}

/** Every name the load balancer routes to the instance: its platform names, and its custom domain's once verified. */
export function routedHostnames(instance: HostnameSource & { subdomain: string }, baseDomain: string): string[] {
  const names = allPlatformHostnames(instance, baseDomain);
  if (instance.customDomain && instance.customDomainStatus === "verified") names.push(...Object.values(hostnamesUnder(instance.customDomain)));
  return names;
}

/**
 * The address a browser uses to open the instance's site. With the local drivers (base domain `localhost`)
 * that is always the subdomain: a custom domain's records point at the production ingress, not here.
 */
export function instanceSiteUrl(instance: HostnameSource, baseDomain: string, address: string | null): string | null {
  if (!address || !instance.subdomain) return null;
  const port = address.split(":").pop();
  const host = baseDomain === "localhost" ? platformHostnames(instance.subdomain, baseDomain).lms : instanceHostnames(instance, baseDomain).lms;
  return `http://${host}:${port}/`;
}

/**
 * The origins browsers load the instance's pages from (its bucket's CORS rules allow these): its platform
 * names, and its custom domain's once verified. Local instances are served over HTTP on a port chosen at
 * boot, hence the one wildcard S3 allows in an origin.
 */
export function instanceBrowserOrigins(instance: HostnameSource, baseDomain: string): string[] {
  if (!instance.subdomain) throw new Error("This instance has no subdomain yet (it is a draft).");
  const platform = allPlatformHostnames({ ...instance, subdomain: instance.subdomain }, baseDomain);
  const origins = baseDomain === "localhost" ? platform.map((host) => `http://${host}:*`) : platform.map((host) => `https://${host}`);
  if (instance.customDomain && instance.customDomainStatus === "verified") {
    origins.push(...Object.values(hostnamesUnder(instance.customDomain)).map((host) => `https://${host}`));
  }
  return origins;
}

type SiteUrlConfig = Pick<Env, "LYCEUM_BASE_DOMAIN" | "LOAD_BALANCER_DRIVER" | "HAPROXY_HTTP_PORT" | "HAPROXY_HTTPS_PORT">;

/**
 * The link owners and staff are given: through the load balancer when there is one (HTTPS, except under
 * `*.localhost`, whose certificates are self-signed, where plain HTTP spares a browser warning), else the
 * instance's own server (instanceSiteUrl). `address` is the serving deployment's: no deployment, no link.
 */
export function siteUrlFor(instance: HostnameSource, config: SiteUrlConfig, address: string | null): string | null {
  if (config.LOAD_BALANCER_DRIVER === "none") return instanceSiteUrl(instance, config.LYCEUM_BASE_DOMAIN, address);
  if (!address || !instance.subdomain) return null;
  const isLocal = config.LYCEUM_BASE_DOMAIN === "localhost" || config.LYCEUM_BASE_DOMAIN.endsWith(".localhost");
  const isHttps = !isLocal && config.HAPROXY_HTTPS_PORT > 0;
  const port = isHttps ? config.HAPROXY_HTTPS_PORT : config.HAPROXY_HTTP_PORT;
  const host = isLocal ? platformHostnames(instance.subdomain, config.LYCEUM_BASE_DOMAIN).lms : instanceHostnames(instance, config.LYCEUM_BASE_DOMAIN).lms;
  const isDefaultPort = port === (isHttps ? 443 : 80);
  return `${isHttps ? "https" : "http"}://${host}${isDefaultPort ? "" : `:${port}`}/`;
}

/**
 * The owner's ways into their Open edX, beside the site link: Studio (the Studio name of the site's, under the same
 * scheme and port) and the LMS's Django admin. They sign in with the superuser made at first boot
 * (cloud-init/owner-account.ts). A site on the subdomain has its Studio beside it (studio-acme.<base>), or below it
 * until the instance moved to one-label names; a custom domain's is below it.
 */
export function ownerToolLinks(siteUrl: string, instance: HostnameSource): { studio: string; lmsAdmin: string } {
  const site = new URL(siteUrl);
  const studio = new URL(site.origin);
  const isCustomSite = instance.customDomainStatus === "verified" && site.hostname === instance.customDomain;
  studio.hostname = !isCustomSite && !instance.hasNestedHostnames ? `studio-${site.hostname}` : hostnamesUnder(site.hostname).studio;
  return { studio: studio.toString(), lmsAdmin: new URL("/admin", site).toString() };
}
