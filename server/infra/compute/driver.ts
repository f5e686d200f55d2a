// The compute capability: application servers (OVH VMs in production, local processes here).
export type ServerSpec = {
  deploymentId: string;
  instanceId: string;
  /**
   * Which of the deployment's servers (0, 1, …; db/schema/deployment-servers.ts). Server 0 is named after the
   * deployment alone, as every server was before deployments had several; the others add "-<index>".
   */
  serverIndex?: number;
  /** What the server needs to run the instance's site (rendered by the pipeline's config step). */
  siteConfig: Record<string, unknown>;
};

/** The name a driver gives a server (a local process's directory, an OVH VM's name after the prefix). */
export function serverKeyOf(spec: Pick<ServerSpec, "deploymentId" | "serverIndex">): string {
  return spec.serverIndex ? `${spec.deploymentId}-${spec.serverIndex}` : spec.deploymentId;
}

/** A server key's deployment id (its first 36 characters, a UUID). */
export function deploymentIdOfServerKey(key: string): string {
  return key.slice(0, 36);
}

/** deployment id, then "-<index>" for servers after the first. */
export const SERVER_KEY_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(-[1-9][0-9]*)?";

export type ServerInfo = {
  /** Stable across restarts of the same deployment's server. */
  serverId: string;
  /** host:port where the server answers HTTP, including GET /heartbeat. */
  address: string;
};

/** What a caller hears while ensureServer brings a server up. */
export type ServerProgress = {
  /**
   * Called once the provider has given the server its id and before waiting for it to build: the caller records
   * it in the ledger here, so an operation that ends during the wait (cancelled, timed out, worker gone) never
   * leaves a server the ledger does not know.
   */
  onServerKnown?(serverId: string): Promise<void>;
  /** Called about once a minute while the provider is still building the server (waiting is not failing). */
  onStillBuilding?(waitedMs: number): Promise<void>;
};

/** An instance's services server: memcached and Elasticsearch for that instance alone (its plan's option). */
export type ServicesServerSpec = { instanceId: string; flavor: string };

export interface ComputeDriver {
  readonly name: string;
  /**
   * Whether reconfigureServer works on a running server. False for drivers whose servers take their configuration
   * only at boot (an OVH VM reads its cloud-init user-data once): apply new settings with a redeploy instead.
   */
  readonly canReconfigureInPlace: boolean;
  /** Boots the deployment's server, or returns it when it is already up. Idempotent per deployment id. */
  ensureServer(spec: ServerSpec, signal: AbortSignal, progress?: ServerProgress): Promise<ServerInfo & { isNew: boolean }>;
  /**
   * Hands a running server a new site configuration and has it reload (no restart, same address); a stopped one
   * (stopServer) takes it when it starts again. Drivers with
   * canReconfigureInPlace false throw ServerCannotBeReconfiguredError.
   */
  reconfigureServer(serverId: string, siteConfig: Record<string, unknown>): Promise<void>;
  /**
   * Stops the server and frees its compute, keeping its disk (OVH: shelve), so a long-suspended instance costs
   * little; a server already stopped is not an error.
   */
  stopServer(serverId: string, signal?: AbortSignal): Promise<void>;
  /** Starts a stopped server again and waits until it is up; its address may have changed. */
  startServer(serverId: string, signal: AbortSignal): Promise<ServerInfo>;
  /** Stops and deletes the server; a server that is already gone is not an error. */
  destroyServer(serverId: string, signal?: AbortSignal): Promise<void>;
  /** Every server this driver can see, for reconciling with the ledger. */
  listServers(signal?: AbortSignal): Promise<ServerInfo[]>;
  /**
   * Boots the instance's services server, or returns it when it is up (one per instance, found by its name);
   * `address` is the host its application servers reach memcached (11211) and Elasticsearch (9200) on. Absent
   * where a driver has no such servers (local: the site process runs no memcached or Elasticsearch).
   */
  ensureServicesServer?(spec: ServicesServerSpec, signal: AbortSignal, progress?: ServerProgress): Promise<ServerInfo & { isNew: boolean }>;
  /** Every services server this driver can see, for reconciling with the ledger (destroyServer deletes one). */
  listServicesServers?(signal?: AbortSignal): Promise<ServerInfo[]>;
}

/** Thrown by reconfigureServer on drivers that cannot change a running server: the caller redeploys instead. */
export class ServerCannotBeReconfiguredError extends Error {
  constructor(driver: string, serverId: string) {
    super(`the ${driver} compute driver cannot change server ${serverId} in place (its configuration is read at boot): redeploy the instance to apply new settings`);
  }
}
