// The MariaDB client tools, run as child processes with the cluster's admin credentials: `mariadb-dump` makes a
// database's consistent dump, `mariadb` loads one. The password goes through the environment, never argv.
import { spawn } from "node:child_process";
import { execFile } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { promisify } from "node:util";

const DUMP_BIN = "mariadb-dump";
const CLIENT_BIN = "mariadb";

function connection(adminUrl: string) {
  const url = new URL(adminUrl);
  return {
    args: ["--host", url.hostname, "--port", url.port || "3306", "--user", decodeURIComponent(url.username), "--protocol", "TCP"],
    env: { ...process.env, MYSQL_PWD: decodeURIComponent(url.password) },
  };
}

type RunningTool = {
  /** The dump's bytes (for `dump`) or the tool's input (for `load`). */
  stream: Readable | Writable;
  /** Resolves when the tool exits 0; rejects with its stderr otherwise. */
  exited: Promise<void>;
};

function run(what: string, bin: string, args: string[], env: NodeJS.ProcessEnv, stdio: "read" | "write", signal?: AbortSignal) {
  const child = spawn(bin, args, { env, stdio: stdio === "read" ? ["ignore", "pipe", "pipe"] : ["pipe", "ignore", "pipe"], signal });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    if (stderr.length < 2000) stderr += chunk.toString("utf8");
  });
  const exited = new Promise<void>((resolve, reject) => {
    child.on("error", (error) => reject(new Error(`${what}: ${bin} did not run (${error.message})`)));
    child.on("close", (code, killed) => {
      if (code === 0) resolve();
      else reject(new Error(`${what}: ${bin} exited ${code ?? killed}${stderr.trim() ? `: ${stderr.trim().slice(0, 500)}` : ""}`));
    });
  });
  // Whoever awaits the stream learns of the failure through `exited`; an unawaited rejection would crash the worker.
  exited.catch(() => {});
  return { child, exited };
}

/** A consistent dump of one database (InnoDB: one transaction's snapshot, no table locks held). */
export function dumpDatabase(adminUrl: string, database: string, signal?: AbortSignal) {
  const { args, env } = connection(adminUrl);
  const { child, exited } = run(
    `dump database ${database}`,
    DUMP_BIN,
    [...args, "--single-transaction", "--routines", "--triggers", "--events", "--hex-blob", "--skip-dump-date", "--default-character-set=utf8mb4", database],
    env,
    "read",
    signal,
  );
  return { stream: child.stdout!, exited };
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
