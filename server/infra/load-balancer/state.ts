// What the load balancer should do, as data: the renderer turns it into HAProxy's files, the drivers apply it.
export type SiteMode = "serving" | "maintenance" | "preparing";

export type LoadBalancedSite = {
  instanceId: string;
  /** Every name visitors use for the instance (lower-case). */
  hostnames: string[];
  /** host:port of each application server of the healthy active deployment; empty when it has none. */
  backendAddresses: string[];
  /** serving: to the backend; maintenance: suspended (503 page); preparing: no healthy deployment yet (503 page). */
  mode: SiteMode;
};

/** A certificate to serve for some names, as the ACME step stores it. */
export type CertificateToServe = {
  hostnames: string[];
  /** The leaf first, then the intermediates. */
  chainPem: string;
  keyPem: string;
};

export type LoadBalancerState = {
  /** host:port for plain HTTP (ACME HTTP-01 arrives here). */
  httpBind: string;
  /** host:port for HTTPS; null: no TLS listener. */
  httpsBind: string | null;
  /** host:port of the portal: it answers ACME challenges and every name no instance claims. */
  portalAddress: string;
  sites: LoadBalancedSite[];
  certificates: CertificateToServe[];
  /** Served when no certificate matches the SNI name (or none is sent). */
  defaultCertificate: { chainPem: string; keyPem: string };
  /**
   * HAProxy's stats listener on every node (HAPROXY_STATS_BIND): how the worker reads a cluster's load and drains a
   * server on each node. Absent: none (the local HAProxy is read through its runtime API socket).
   */
  stats?: StatsListener | null;
};

/** host:port to listen on, and the password of the one user (the stats page can put servers into maintenance). */
export type StatsListener = { bind: string; password: string };
