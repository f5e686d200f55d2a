// The MongoDB capability: a database per instance and a user that may read and write only that database.
export type MongoUserSpec = { database: string; user: string; password: string };

export interface MongoDriver {
  readonly name: string;
  /** Seed hosts (host:port) the instances connect to. */
  readonly hosts: string[];
  /** Creates the user in its own database with readWrite on it alone, or resets an existing one to exactly that. */
  ensureUser(spec: MongoUserSpec, signal?: AbortSignal): Promise<{ isNew: boolean }>;
  /** A user that is already gone is not an error. */
  dropUser(database: string, user: string, signal?: AbortSignal): Promise<{ existed: boolean }>;
  dropDatabase(database: string, signal?: AbortSignal): Promise<void>;
  /** Users whose names start with `namePrefix`, with the database each is defined in (for reconciling with the ledger). */
  listUsers(namePrefix: string, signal?: AbortSignal): Promise<{ user: string; database: string }[]>;
  /** Databases whose names start with `namePrefix`: only those written to (MongoDB creates a database on its first write). */
  listDatabases(namePrefix: string, signal?: AbortSignal): Promise<string[]>;
  close(): Promise<void>;
}
