// MySQL through an administrator's connection (mysql2): the shared cluster in production, the MariaDB on
// 127.0.0.1:3306 here. The SQL is the subset MySQL 8 and MariaDB 10.4+ both accept.
import mysql from "mysql2/promise";
import type { MysqlDriver, MysqlUserSpec } from "./driver";

const IDENTIFIER = /^[a-z][a-z0-9_]{0,63}$/;

export function createMysqlDriver(adminUrl: string, userHost: string): MysqlDriver {
  const url = new URL(adminUrl);
  let pool: mysql.Pool | null = null;
  const connection = () =>
    (pool ??= mysql.createPool({
      uri: adminUrl,
      connectionLimit: 4,
      maxIdle: 1,
      idleTimeout: 30_000,
      connectTimeout: 10_000,
    }));

  /** Runs one statement; errors name what failed and the server's message, never the SQL (it may hold a password). */
  async function run<T = unknown>(what: string, statement: string, values: unknown[] = []): Promise<T> {
    try {
      const [rows] = await connection().query(statement, values);
      return rows as T;
    } catch (error) {
      const { code, sqlMessage, message } = error as { code?: string; sqlMessage?: string; message: string };
      throw new Error(`${what} on MySQL ${url.host}: ${code ? `${code} ` : ""}${sqlMessage ?? message}`);
    }
  }

  async function userExists(name: string) {
    const rows = await run<unknown[]>(`look up MySQL user ${name}`, "SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?", [name, userHost]);
    return rows.length > 0;
  }

  async function databaseExists(name: string) {
    const rows = await run<unknown[]>(`look up database ${name}`, "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", [name]);
    return rows.length > 0;
  }

  return {
    name: "mysql",
    endpoint: { host: url.hostname, port: Number(url.port || 3306) },

    async ensureDatabase(name) {
      assertIdentifier(name);
      const isNew = !(await databaseExists(name));
      await run(`create database ${name}`, "CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", [name]);
      return { isNew };
    },

    async ensureUser(user: MysqlUserSpec) {
      assertIdentifier(user.name);
      user.databases.forEach(assertIdentifier);
      const isNew = !(await userExists(user.name));
      const account = [user.name, userHost];
      await run(`create MySQL user ${user.name}`, "CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?", [...account, user.password]);
      if (!isNew) {
        // Converge an existing account: the ledger's password, and no grant beyond the ones below.
        await run(`set the password of ${user.name}`, "ALTER USER ?@? IDENTIFIED BY ?", [...account, user.password]);
        await run(`revoke the grants of ${user.name}`, "REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?", account);
      }
      const privileges = user.access === "read-only" ? "SELECT, SHOW VIEW" : "ALL PRIVILEGES";
      for (const database of user.databases) {
        await run(`grant ${user.name} on ${database}`, `GRANT ${privileges} ON ??.* TO ?@?`, [grantPattern(database), ...account]);
      }
      return { isNew };
    },

    async dropUser(name) {
      assertIdentifier(name);
      const existed = await userExists(name);
      await run(`drop MySQL user ${name}`, "DROP USER IF EXISTS ?@?", [name, userHost]);
      return { existed };
    },

    async dropDatabase(name) {
      assertIdentifier(name);
      const existed = await databaseExists(name);
      await run(`drop database ${name}`, "DROP DATABASE IF EXISTS ??", [name]);
      return { existed };
    },

    async listDatabases(namePrefix) {
      const rows = await run<{ name: string }[]>(
        `list databases starting with ${namePrefix}`,
        "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ? ORDER BY 1",
        [likePrefix(namePrefix)],
      );
      return rows.map((row) => String(row.name));
    },

    async listUsers(namePrefix) {
      const rows = await run<{ name: string }[]>(
        `list MySQL users starting with ${namePrefix}`,
        "SELECT User AS name FROM mysql.user WHERE User LIKE ? AND Host = ? ORDER BY 1",
        [likePrefix(namePrefix), userHost],
      );
      return rows.map((row) => String(row.name));
    },

    async serverVersion() {
      const [row] = await run<{ version: string }[]>("read the MySQL server version", "SELECT VERSION() AS version");
      return String(row?.version);
    },

    async close() {
      await pool?.end();
      pool = null;
    },
  };
}

function assertIdentifier(name: string) {
  if (!IDENTIFIER.test(name)) throw new Error(`"${name}" is not a safe MySQL name`);
}

/** A LIKE pattern matching names that start with `prefix` literally (`_` and `%` are wildcards in LIKE). */
function likePrefix(prefix: string) {
  return `${prefix.replace(/[_%\\]/g, "\\$&")}%`;
}

/**
 * In GRANT … ON `db`.*, `_` and `%` are wildcards: `lyc_a_edxapp` would also match `lycXaYedxapp`. Escaped,
 * the grant covers exactly the one database.
 */
export function grantPattern(database: string) {
  return database.replace(/[_%]/g, "\\$&");
}
