// The MariaDB client tools, run as child processes with the cluster's admin credentials: `mariadb-dump` makes a
// database's consistent dump, `mariadb` loads one. The password goes through the environment, never argv.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { runTool as run } from "./child-tool";

const DUMP_BIN = "mariadb-dump";
const CLIENT_BIN = "mariadb";

function connection(adminUrl: string) {
  const url = new URL(adminUrl);
  return {
    args: ["--host", url.hostname, "--port", url.port || "3306", "--user", decodeURIComponent(url.username), "--protocol", "TCP"],
    env: { ...process.env, MYSQL_PWD: decodeURIComponent(url.password) },
  };
}

/** A consistent dump of one database (InnoDB: one transaction's snapshot, no table locks held). */
export function dumpDatabase(adminUrl: string, database: string, signal?: AbortSignal) {
  const { args, env } = connection(adminUrl);
  const { output, exited } = run(
    `dump database ${database}`,
    DUMP_BIN,
    [...args, "--single-transaction", "--routines", "--triggers", "--events", "--hex-blob", "--skip-dump-date", "--default-character-set=utf8mb4", database],
    env,
    "read",
    signal,
  );
  return { stream: output!, exited };
}

/** Loads a dump (as `dumpDatabase` makes it) into `database`, which must exist. */
export function loadDatabase(adminUrl: string, database: string, signal?: AbortSignal) {
  const { args, env } = connection(adminUrl);
  const { child, exited } = run(`load database ${database}`, CLIENT_BIN, [...args, "--default-character-set=utf8mb4", database], env, "write", signal);
  return { stream: child.stdin!, exited };
}

/** `mariadb-dump --version`: recorded in the manifest, since a dump's syntax is the tool's. */
export async function dumpToolVersion(): Promise<string> {
  const { stdout } = await promisify(execFile)(DUMP_BIN, ["--version"]);
  return stdout.trim();
}
