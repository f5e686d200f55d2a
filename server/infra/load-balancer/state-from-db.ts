// The load balancer's state, read from the database: which names each instance answers on, and whether
// visitors get its active deployment, the maintenance page (suspended) or the 'being prepared' page.
import { and, asc, eq, inArray, isNotNull, ne } from "drizzle-orm";
import type { Queryable } from "@/db";
import { deploymentServers, deployments, instances, type Instance, type InstanceStatus } from "@/db/schema";
import { bindCertificatesToOwners, type OwnedCertificate } from "./certificate-binding";
import type { LoadBalancedSite, LoadBalancerState, SiteMode } from "./state";

/** Where the certificates to serve come from (the ACME step's store); by default none, so the default one. */
export type CertificatesProvider = (db: Queryable) => Promise<OwnedCertificate[]>;

export const noCertificates: CertificatesProvider = async () => [];

/**
 * Every name the load balancer routes to an instance. Naming is the instances' business (server/instances/hostnames.ts),
 * so whoever creates the load balancer passes it in: a driver does not import domain modules.
 */
export type SiteHostnames = (instance: Instance & { subdomain: string }, baseDomain: string) => string[];

type LoadBalancerStateOptions = {
  baseDomain: string;
  httpBind: string;
  httpsBind: string | null;
  portalAddress: string;
  stats?: LoadBalancerState["stats"];
  defaultCertificate: LoadBalancerState["defaultCertificate"];
  siteHostnames: SiteHostnames;
  certificates?: CertificatesProvider;
};

/**
 * Instances that have names on the load balancer. Before payment nothing is routed (the names go to the
 * portal); from deprovisioning on, the backend is gone and the names go back to the portal too.
 */
const ROUTED_STATUSES = ["queued", "provisioning", "running", "suspended", "failed"] as const satisfies InstanceStatus[];

export async function loadBalancerStateFromDb(db: Queryable, options: LoadBalancerStateOptions): Promise<LoadBalancerState> {
  const rows = await db
    .select({ instance: instances, deployment: deployments })
    .from(instances)
    .leftJoin(deployments, eq(deployments.id, instances.activeDeploymentId))
    .where(inArray(instances.status, [...ROUTED_STATUSES]))
    .orderBy(asc(instances.createdAt), asc(instances.id));

  // Every server the active deployments have not removed: HAProxy's own health checks take a dead one out of
  // service within seconds, faster than any sweep could rewrite this file.
  const activeIds = rows.flatMap(({ deployment }) => (deployment ? [deployment.id] : []));
  const serverRows = activeIds.length
    ? await db
        .select({ deploymentId: deploymentServers.deploymentId, address: deploymentServers.address })
        .from(deploymentServers)
        .where(and(inArray(deploymentServers.deploymentId, activeIds), ne(deploymentServers.state, "removed"), isNotNull(deploymentServers.address)))
        .orderBy(asc(deploymentServers.serverIndex))
    : [];
  const addressesOf = new Map<string, string[]>();
  for (const { deploymentId, address } of serverRows) addressesOf.set(deploymentId, [...(addressesOf.get(deploymentId) ?? []), address!]);

  const claimed = new Set<string>();
  const sites: LoadBalancedSite[] = [];
  for (const { instance, deployment } of rows) {
    if (!instance.subdomain) continue;
    const names = options.siteHostnames({ ...instance, subdomain: instance.subdomain }, options.baseDomain);
    // A name two instances could claim (one's custom domain under the other's subdomain) stays with the older.
    const hostnames = [...new Set(names.map((name) => name.toLowerCase()))].filter((name) => !claimed.has(name));
    hostnames.forEach((name) => claimed.add(name));
    // A deployment from before deployment_servers existed and was not backfilled has its one address on its row.
    const addresses = deployment ? (addressesOf.get(deployment.id) ?? (deployment.address ? [deployment.address] : [])) : [];
    const isHealthy = deployment?.status === "running" && addresses.length > 0;
    const mode: SiteMode = instance.maintenancePageSince ? "maintenance" : isHealthy ? "serving" : "preparing";
    sites.push({ instanceId: instance.id, hostnames, backendAddresses: isHealthy ? [...new Set(addresses)] : [], mode });
  }

  return {
    httpBind: options.httpBind,
    httpsBind: options.httpsBind,
    portalAddress: options.portalAddress,
    sites,
    certificates: bindCertificatesToOwners(await (options.certificates ?? noCertificates)(db), sites, options.baseDomain),
    defaultCertificate: options.defaultCertificate,
    stats: options.stats ?? null,
  };
}
