// Every hostname of an instance, derived in one place.
import type { CustomDomainStatus } from "@/db/schema";
import type { Env } from "@/server/env";

export type HostnameSource = {
  subdomain: string | null;
  customDomain?: string | null;
  customDomainStatus?: CustomDomainStatus | null;
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

/** The platform-provided names: <subdomain>.<base domain> and the names below it. */
export function platformHostnames(subdomain: string, baseDomain: string) {
  return hostnamesUnder(`${subdomain}.${baseDomain}`);
}

/** The names the instance serves on now: its custom domain once verified, its subdomain until then. */
export function instanceHostnames(instance: HostnameSource, baseDomain: string) {
  if (instance.customDomain && instance.customDomainStatus === "verified") return hostnamesUnder(instance.customDomain);
  if (!instance.subdomain) throw new Error("This instance has no subdomain yet (it is a draft).");
  return platformHostnames(instance.subdomain, baseDomain);
}

/** Every name the load balancer routes to the instance: its platform names, and its custom domain's once verified. */
export function routedHostnames(instance: HostnameSource & { subdomain: string }, baseDomain: string): string[] {
  const names = Object.values(platformHostnames(instance.subdomain, baseDomain));
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
  const platform = Object.values(platformHostnames(instance.subdomain, baseDomain));
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
 * The owner's ways into their Open edX, beside the site link: Studio (the studio name under the same scheme and
 * port) and the LMS's Django admin. They sign in with the superuser made at first boot (cloud-init/owner-account.ts).
 */
export function ownerToolLinks(siteUrl: string): { studio: string; lmsAdmin: string } {
  const site = new URL(siteUrl);
  const studio = new URL(site.origin);
  studio.hostname = hostnamesUnder(site.hostname).studio;
  return { studio: studio.toString(), lmsAdmin: new URL("/admin", site).toString() };
}
