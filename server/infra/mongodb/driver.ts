// The MongoDB capability: a database per instance and a user that may read and write only that database.
export type MongoUserSpec = { database: string; user: string; password: string };

export interface MongoDriver {
  readonly name: string;
  /** Seed hosts (host:port) the instances connect to. */
  readonly hosts: string[];
  /** Creates the user in its own database with readWrite on it alone, or resets an existing one to exactly that. */
  ensureUser(spec: MongoUserSpec): Promise<{ isNew: boolean }>;
  /** A user that is already gone is not an error. */
  dropUser(database: string, user: string): Promise<{ existed: boolean }>;
  dropDatabase(database: string): Promise<void>;
  /** Users whose names start with `namePrefix`, with the database each is defined in (for reconciling with the ledger). */
  listUsers(namePrefix: string): Promise<{ user: string; database: string }[]>;
  /** Databases whose names start with `namePrefix`: only those written to (MongoDB creates a database on its first write). */
  listDatabases(namePrefix: string): Promise<string[]>;
  close(): Promise<void>;
}
