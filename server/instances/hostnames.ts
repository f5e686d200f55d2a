// Every hostname of an instance, derived in one place.
export type HostnameSource = { subdomain: string; customDomain?: string | null };

export function instanceHostnames(instance: HostnameSource, baseDomain: string) {
  const root = instance.customDomain ?? `${instance.subdomain}.${baseDomain}`;
  return {
    lms: root,
    studio: `studio.${root}`,
    preview: `preview.${root}`,
    apps: `apps.${root}`,
  };
}

/** The address a browser uses to open the instance's site. */
export function instanceSiteUrl(instance: HostnameSource, baseDomain: string, address: string | null): string | null {
  if (!address) return null;
  const port = address.split(":").pop();
  return `http://${instanceHostnames(instance, baseDomain).lms}:${port}/`;
}

/**
 * The origins browsers load the instance's pages from (its bucket's CORS rules allow these). Local instances
 * are served over HTTP on a port chosen at boot, hence the one wildcard S3 allows in an origin.
 */
export function instanceBrowserOrigins(instance: HostnameSource, baseDomain: string): string[] {
  const hosts = Object.values(instanceHostnames(instance, baseDomain));
  return baseDomain === "localhost" && !instance.customDomain ? hosts.map((host) => `http://${host}:*`) : hosts.map((host) => `https://${host}`);
}
