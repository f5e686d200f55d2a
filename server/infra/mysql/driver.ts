// The MySQL capability: databases and users on a shared MySQL/MariaDB cluster.
import type { DriverCallOptions } from "../call-options";

export type MysqlAccess = "all" | "read-only";

export type MysqlUserSpec = {
  name: string;
  password: string;
  /** The only databases the user may touch, and how. */
  databases: string[];
  access: MysqlAccess;
};

export interface MysqlDriver {
  readonly name: string;
  /** Where the instances' application servers reach the cluster. */
  readonly endpoint: { host: string; port: number };
  ensureDatabase(name: string, options?: DriverCallOptions): Promise<{ isNew: boolean }>;
  /** Creates the user, or brings an existing one to exactly this password and these grants. */
  ensureUser(user: MysqlUserSpec, options?: DriverCallOptions): Promise<{ isNew: boolean }>;
  /** A user or database that is already gone is not an error. */
  dropUser(name: string, options?: DriverCallOptions): Promise<{ existed: boolean }>;
  dropDatabase(name: string, options?: DriverCallOptions): Promise<{ existed: boolean }>;
  /** Databases, and users at the instances' host, whose names start with `namePrefix` (for reconciling with the ledger). */
  listDatabases(namePrefix: string, options?: DriverCallOptions): Promise<string[]>;
  listUsers(namePrefix: string, options?: DriverCallOptions): Promise<string[]>;
  /**
   * Open edX's own count in its LMS database: active learners (`auth_user`, staff and superusers left out) and
   * courses (`course_overviews_courseoverview`). Null while those tables do not exist (migrations not run yet).
   */
  countOpenedxUsage(database: string, options?: DriverCallOptions): Promise<{ learners: number; courses: number } | null>;
  /** `VERSION()`: recorded in a backup's manifest beside the dump tool's version. */
  serverVersion(options?: DriverCallOptions): Promise<string>;
  close(): Promise<void>;
}
