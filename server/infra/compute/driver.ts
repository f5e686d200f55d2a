// The compute capability: application servers (OVH VMs in production, local processes here).
export type ServerSpec = {
  deploymentId: string;
  instanceId: string;
  /** What the server needs to run the instance's site (rendered by the pipeline's config step). */
  siteConfig: Record<string, unknown>;
};

export type ServerInfo = {
  /** Stable across restarts of the same deployment's server. */
  serverId: string;
  /** host:port where the server answers HTTP, including GET /heartbeat. */
  address: string;
};

export interface ComputeDriver {
  readonly name: string;
  /** Boots the deployment's server, or returns it when it is already up. Idempotent per deployment id. */
  ensureServer(spec: ServerSpec, signal: AbortSignal): Promise<ServerInfo & { isNew: boolean }>;
  /** Hands a running server a new site configuration and has it reload (no restart, same address). */
  reconfigureServer(serverId: string, siteConfig: Record<string, unknown>): Promise<void>;
  /** Stops and deletes the server; a server that is already gone is not an error. */
  destroyServer(serverId: string): Promise<void>;
  /** Every server this driver can see, for reconciling with the ledger. */
  listServers(): Promise<ServerInfo[]>;
}
