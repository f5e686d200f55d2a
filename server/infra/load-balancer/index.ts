// The load balancer as the rest of the system sees it: a driver, and how to read what it should serve.
import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import type { Env } from "@/server/env";
import { ConsulConflictError, ConsulLoadBalancer } from "./consul";
import type { ApplyResult, LoadBalancerDriver } from "./driver";
import { haproxyDirIn, HaproxyLoadBalancer } from "./haproxy";
import { ensureDefaultCertificate, selfSignedPemPair, type PemPair } from "./default-certificate";
import { loadBalancerStateFromDb, noCertificates, type CertificatesProvider, type SiteHostnames } from "./state-from-db";
import { HaproxyFleet } from "./runtime";
import type { LoadBalancerState } from "./state";
import { HaproxyStatsEndpoint } from "./stats-http";

export type LoadBalancer = {
  driver: LoadBalancerDriver;
  /** What it should serve now, read from the database. */
  stateFrom(db: Queryable): Promise<LoadBalancerState>;
  /**
   * The HAProxy processes serving now, to read their load and drain servers: the local one through its socket, the
   * Consul-fed nodes through their stats pages (HAPROXY_STATS_URLS). Null: nothing to read (consul without it).
   */
  runtime: HaproxyFleet | null;
};

/** Where HAProxy listens and where it finds the portal, from the configuration (also what `npm run dev` prints). */
function loadBalancerAddresses(config: Env) {
  const host = config.HAPROXY_BIND_HOST.includes(":") ? `[${config.HAPROXY_BIND_HOST}]` : config.HAPROXY_BIND_HOST;
  return {
    httpBind: `${host}:${config.HAPROXY_HTTP_PORT}`,
    httpsBind: config.HAPROXY_HTTPS_PORT ? `${host}:${config.HAPROXY_HTTPS_PORT}` : null,
    portalAddress: config.LOAD_BALANCER_PORTAL_ADDRESS ?? `127.0.0.1:${config.PORT}`,
    stats: config.HAPROXY_STATS_BIND && config.HAPROXY_STATS_PASSWORD ? { bind: config.HAPROXY_STATS_BIND, password: config.HAPROXY_STATS_PASSWORD } : null,
  };
}

/** What the load balancer serves, supplied by its creator: the names of each site, and the certificates to serve (by default only the self-signed default one). */
type LoadBalancerSources = { siteHostnames: SiteHostnames; certificates?: CertificatesProvider };

/** The configured load balancer, or null (LOAD_BALANCER_DRIVER=none). */
export function createLoadBalancer(config: Env, { siteHostnames, certificates = noCertificates }: LoadBalancerSources): LoadBalancer | null {
  if (config.LOAD_BALANCER_DRIVER === "none") return null;
  const addresses = loadBalancerAddresses(config);
  let driver: LoadBalancerDriver;
  let defaultCertificate: () => Promise<PemPair>;
  let runtime: HaproxyFleet | null;
  if (config.LOAD_BALANCER_DRIVER === "haproxy") {
    const dir = haproxyDirIn(config.LYCEUM_STATE_DIR);
    const haproxy = new HaproxyLoadBalancer(dir, config.HAPROXY_BIN);
    driver = haproxy;
    runtime = new HaproxyFleet([haproxy]);
    defaultCertificate = () => ensureDefaultCertificate(dir, config.LYCEUM_BASE_DOMAIN);
  } else {
    const consul = new ConsulLoadBalancer({
      url: config.CONSUL_URL!,
      token: config.CONSUL_TOKEN,
      prefix: config.CONSUL_KV_PREFIX,
      nodeDir: config.HAPROXY_NODE_DIR,
      haproxyBin: config.HAPROXY_BIN,
    });
    driver = consul;
    const password = config.HAPROXY_STATS_PASSWORD;
    runtime = config.HAPROXY_STATS_URLS && password ? new HaproxyFleet(config.HAPROXY_STATS_URLS.map((url) => new HaproxyStatsEndpoint(url, password))) : null;
    defaultCertificate = () => consul.sharedDefaultCertificate(() => selfSignedPemPair([config.LYCEUM_BASE_DOMAIN]));
  }
  return {
    driver,
    runtime,
    async stateFrom(db) {
      return loadBalancerStateFromDb(db, {
        baseDomain: config.LYCEUM_BASE_DOMAIN,
        ...addresses,
        defaultCertificate: await defaultCertificate(),
        siteHostnames,
        certificates,
      });
    },
  };
}

const CONFLICT_RETRIES = 3;

/**
 * Renders from the database and applies. Workers take turns (a transaction-level advisory lock around the
 * read and the apply): otherwise a worker that read the database earlier could apply after one that read it
 * later and put an older state back. Consul's check-and-set still guards against portals sharing a prefix.
 */
export async function syncLoadBalancer(db: Queryable, loadBalancer: LoadBalancer, signal?: AbortSignal): Promise<ApplyResult & { state: LoadBalancerState }> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('lyceum:load-balancer', 0))`);
    for (let attempt = 1; ; attempt += 1) {
      const state = await loadBalancer.stateFrom(tx);
      try {
        return { ...(await loadBalancer.driver.apply(state, signal)), state };
      } catch (error) {
        if (!(error instanceof ConsulConflictError) || attempt >= CONFLICT_RETRIES) throw error;
      }
    }
  });
}
