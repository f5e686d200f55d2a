// MySQL through an administrator's connection (mysql2): the shared cluster in production, the MariaDB on
// 127.0.0.1:3306 here. The SQL is the subset MySQL 8 and MariaDB 10.4+ both accept.
import type { Pool } from "mysql2/promise";
import { abortReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS, type DriverCallOptions } from "../call-options";
import type { MysqlDriver, MysqlUserSpec } from "./driver";

const IDENTIFIER = /^[a-z][a-z0-9_]{0,63}$/;

/** `callTimeoutMs`: a statement that has not answered in this long is taken for lost (every one Lyceum sends is a quick DDL or lookup). */
export function createMysqlDriver(adminUrl: string, userHost: string, callTimeoutMs = DEFAULT_DRIVER_CALL_TIMEOUT_MS): MysqlDriver {
  const url = new URL(adminUrl);
  // mysql2 is imported with the first statement: a worker that provisions nothing never holds it.
  let pool: Promise<Pool> | null = null;
  const connection = () =>
    (pool ??= import("mysql2/promise").then(({ default: mysql }) =>
      mysql.createPool({
        uri: adminUrl,
        connectionLimit: 4,
        maxIdle: 1,
        idleTimeout: 30_000,
        connectTimeout: 10_000,
      }),
    ));

  /**
   * Runs one statement; errors name what failed and the server's message, never the SQL (it may hold a password).
   * On abort or timeout the connection is reset (RST) rather than closed: a statement still on the wire is then
   * discarded, never run by the server after the caller gave up.
   */
  async function run<T = unknown>(what: string, statement: string, values: unknown[] = [], options?: DriverCallOptions): Promise<T> {
    const signal = callSignal(options, callTimeoutMs);
    const fail = (detail: string) => new Error(`${what} on MySQL ${url.host}: ${detail}`);
    if (signal.aborted) throw fail(`stopped before it started (${abortReason(signal, callTimeoutMs)})`);
    const session = await (await connection()).getConnection();
    // mysql2 never settles a query whose connection it was told to close: the abort settles it here.
    let onAbort = () => {};
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => {
        (session.connection as unknown as { stream?: { resetAndDestroy?(): void } }).stream?.resetAndDestroy?.();
        session.destroy();
        reject(fail(`stopped, connection reset (${abortReason(signal, callTimeoutMs)})`));
      };
    });
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const query = session.query(statement, values);
      query.catch(() => {});
      const [rows] = await Promise.race([query, stopped]);
      return rows as T;
    } catch (error) {
      if (signal.aborted) throw error;
      const { code, sqlMessage, message } = error as { code?: string; sqlMessage?: string; message: string };
      throw fail(`${code ? `${code} ` : ""}${sqlMessage ?? message}`);
    } finally {
      signal.removeEventListener("abort", onAbort);
      if (!signal.aborted) session.release();
    }
  }

  async function userExists(name: string, options?: DriverCallOptions) {
    const rows = await run<unknown[]>(`look up MySQL user ${name}`, "SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?", [name, userHost], options);
    return rows.length > 0;
  }

  async function databaseExists(name: string, options?: DriverCallOptions) {
    const rows = await run<unknown[]>(`look up database ${name}`, "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?", [name], options);
    return rows.length > 0;
  }

  return {
    name: "mysql",
    endpoint: { host: url.hostname, port: Number(url.port || 3306) },

    async ensureDatabase(name, options) {
      assertIdentifier(name);
      const isNew = !(await databaseExists(name, options));
      await run(`create database ${name}`, "CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", [name], options);
      return { isNew };
    },

    async ensureUser(user: MysqlUserSpec, options) {
      assertIdentifier(user.name);
      user.databases.forEach(assertIdentifier);
      const isNew = !(await userExists(user.name, options));
      const account = [user.name, userHost];
      await run(`create MySQL user ${user.name}`, "CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?", [...account, user.password], options);
      if (!isNew) {
        // Converge an existing account: the ledger's password, and no grant beyond the ones below.
        await run(`set the password of ${user.name}`, "ALTER USER ?@? IDENTIFIED BY ?", [...account, user.password], options);
        await run(`revoke the grants of ${user.name}`, "REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?", account, options);
      }
      const privileges = user.access === "read-only" ? "SELECT, SHOW VIEW" : "ALL PRIVILEGES";
      for (const database of user.databases) {
        await run(`grant ${user.name} on ${database}`, `GRANT ${privileges} ON ??.* TO ?@?`, [grantPattern(database), ...account], options);
      }
      return { isNew };
    },

    async dropUser(name, options) {
      assertIdentifier(name);
      const existed = await userExists(name, options);
      await run(`drop MySQL user ${name}`, "DROP USER IF EXISTS ?@?", [name, userHost], options);
      return { existed };
    },

    async dropDatabase(name, options) {
      assertIdentifier(name);
      const existed = await databaseExists(name, options);
      await run(`drop database ${name}`, "DROP DATABASE IF EXISTS ??", [name], options);
      return { existed };
    },

    async listDatabases(namePrefix, options) {
      const rows = await run<{ name: string }[]>(
        `list databases starting with ${namePrefix}`,
        "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name LIKE ? ORDER BY 1",
        [likePrefix(namePrefix)],
        options,
      );
      return rows.map((row) => String(row.name));
    },

    async listUsers(namePrefix, options) {
      const rows = await run<{ name: string }[]>(
        `list MySQL users starting with ${namePrefix}`,
        "SELECT User AS name FROM mysql.user WHERE User LIKE ? AND Host = ? ORDER BY 1",
        [likePrefix(namePrefix), userHost],
        options,
      );
      return rows.map((row) => String(row.name));
    },

    async countOpenedxUsage(database, options) {
      assertIdentifier(database);
      const tables = await run<{ name: string }[]>(
        `look up Open edX's tables in ${database}`,
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name IN ('auth_user', 'course_overviews_courseoverview')",
        [database],
        options,
      );
      if (tables.length < 2) return null;
      const [row] = await run<{ learners: number | string; courses: number | string }[]>(
        `count the learners and courses in ${database}`,
        "SELECT (SELECT COUNT(*) FROM ??.auth_user WHERE is_active = 1 AND is_staff = 0 AND is_superuser = 0) AS learners, " +
          "(SELECT COUNT(*) FROM ??.course_overviews_courseoverview) AS courses",
        [database, database],
        options,
      );
      return { learners: Number(row?.learners ?? 0), courses: Number(row?.courses ?? 0) };
    },

    async serverVersion(options) {
      const [row] = await run<{ version: string }[]>("read the MySQL server version", "SELECT VERSION() AS version", [], options);
      return String(row?.version);
    },

    async close() {
      const closing = pool;
      pool = null;
      await (await closing)?.end();
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
