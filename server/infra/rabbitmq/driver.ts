// The RabbitMQ capability: a virtual host per instance and a user that may use only that virtual host.
export type RabbitUserSpec = { vhost: string; user: string; password: string };

export interface RabbitDriver {
  readonly name: string;
  /** Where instances connect over AMQP (without credentials). */
  readonly amqpUrl: string;
  ensureVhost(vhost: string, signal?: AbortSignal): Promise<{ isNew: boolean }>;
  /** Creates the user (or resets its password) with full rights on `vhost` and no other vhost. */
  ensureUser(spec: RabbitUserSpec, signal?: AbortSignal): Promise<{ isNew: boolean }>;
  /** Already gone is not an error. */
  deleteUser(user: string, signal?: AbortSignal): Promise<{ existed: boolean }>;
  deleteVhost(vhost: string, signal?: AbortSignal): Promise<{ existed: boolean }>;
  /** Every vhost and user name on the cluster (for reconciling with the ledger; callers filter by prefix). */
  listVhosts(signal?: AbortSignal): Promise<string[]>;
  listUsers(signal?: AbortSignal): Promise<string[]>;
  /** The vhost's queues, exchanges, bindings, policies and parameters (the management API's definitions). */
  exportDefinitions(vhost: string, signal?: AbortSignal): Promise<RabbitVhostDefinitions>;
  /** Adds the definitions to the vhost (existing ones with the same names are kept or updated, none removed). */
  importDefinitions(vhost: string, definitions: RabbitVhostDefinitions, signal?: AbortSignal): Promise<void>;
}

/** The management API's JSON for one vhost, as it returns it: `rabbit_version`, `queues`, `exchanges`, … */
export type RabbitVhostDefinitions = Record<string, unknown> & { rabbit_version?: string };
