// MongoDB through an administrator's connection (the official driver). Not integration-tested here: no MongoDB
// server runs on this machine. tests/mongodb-contract.test.ts checks the commands it sends on the wire.
// The driver is loaded on first use: most portals configure no MongoDB cluster, and the module weighs ~13 MB of
// every worker's and web process's memory.
import type { MongoClient } from "mongodb";
import { abortReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import type { MongoDriver, MongoUserSpec } from "./driver";

// https://www.mongodb.com/docs/manual/reference/error-codes/
const USER_NOT_FOUND = 11;
const USER_ALREADY_EXISTS = 51003;

export function createMongoDriver(adminUrl: string, callTimeoutMs = DEFAULT_DRIVER_CALL_TIMEOUT_MS): MongoDriver {
  let client: MongoClient | null = null;
  const connection = async () => {
    const { MongoClient } = await import("mongodb");
    client ??= new MongoClient(adminUrl, { serverSelectionTimeoutMS: 10_000, maxPoolSize: 2 });
    return client.connect();
  };
  const hosts = seedHosts(adminUrl);

  async function command<T>(what: string, database: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    // The driver closes the connection of a command whose signal aborts: nothing sent is run afterwards.
    const stop = callSignal(signal, callTimeoutMs);
    try {
      stop.throwIfAborted();
      return (await (await connection()).db(database).command(body, { signal: stop })) as T;
    } catch (error) {
      if (stop.aborted) throw new Error(`${what} on MongoDB: stopped, connection reset (${abortReason(stop, callTimeoutMs)})`);
      const { MongoServerError } = await import("mongodb");
      if (error instanceof MongoServerError) throw Object.assign(new Error(`${what} on MongoDB: ${error.codeName ?? error.code} ${error.errmsg ?? error.message}`), { code: error.code });
      throw new Error(`${what} on MongoDB: ${(error as Error).message}`);
    }
  }

  return {
    name: "mongodb",
    hosts,

    async ensureUser({ database, user, password }: MongoUserSpec, signal) {
      const roles = [{ role: "readWrite", db: database }];
      try {
        await command(`create user ${user}`, database, { createUser: user, pwd: password, roles }, signal);
        return { isNew: true };
      } catch (error) {
        if ((error as { code?: number }).code !== USER_ALREADY_EXISTS) throw error;
      }
      // Converge: the ledger's password and exactly these roles (updateUser replaces the role list).
      await command(`update user ${user}`, database, { updateUser: user, pwd: password, roles }, signal);
      return { isNew: false };
    },

    async dropUser(database, user, signal) {
      try {
        await command(`drop user ${user}`, database, { dropUser: user }, signal);
        return { existed: true };
      } catch (error) {
        if ((error as { code?: number }).code === USER_NOT_FOUND) return { existed: false };
        throw error;
      }
    },

    async dropDatabase(database, signal) {
      await command(`drop database ${database}`, database, { dropDatabase: 1 }, signal);
    },

    async listUsers(namePrefix, signal) {
      const result = await command<{ users?: { user: string; db: string }[] }>(`list users starting with ${namePrefix}`, "admin", {
        usersInfo: { forAllDBs: true },
      }, signal);
      return (result.users ?? []).filter((entry) => entry.user.startsWith(namePrefix)).map((entry) => ({ user: entry.user, database: entry.db }));
    },

    async listDatabases(namePrefix, signal) {
      const result = await command<{ databases?: { name: string }[] }>(`list databases starting with ${namePrefix}`, "admin", { listDatabases: 1, nameOnly: true }, signal);
      return (result.databases ?? []).map((entry) => entry.name).filter((name) => name.startsWith(namePrefix));
    },

    async close() {
      await client?.close();
      client = null;
    },
  };
}

/** The host list of a connection string (mongodb://user:pass@h1:27017,h2:27017/admin), without credentials. */
function seedHosts(connectionString: string): string[] {
  const afterScheme = connectionString.replace(/^mongodb(\+srv)?:\/\//, "");
  const authority = afterScheme.split(/[/?]/)[0] ?? "";
  return authority.slice(authority.lastIndexOf("@") + 1).split(",").filter(Boolean);
}
