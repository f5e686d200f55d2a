// The portal's own Postgres, dumped and restored with PostgreSQL's tools (custom format: compressed, restorable
// table by table). The password goes through PGPASSWORD, never the command line, where `ps` would show it.
import { spawn } from "node:child_process";

function connectionArgs(databaseUrl: string) {
  const url = new URL(databaseUrl);
  const args = ["--host", decodeURIComponent(url.hostname), "--port", url.port || "5432", "--username", decodeURIComponent(url.username), "--dbname", decodeURIComponent(url.pathname.slice(1))];
  const env: NodeJS.ProcessEnv = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode) env.PGSSLMODE = sslmode;
  return { args, env };
}

function run(tool: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => reject(new Error(`${tool}: ${error.message} (install PostgreSQL's client tools)`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${tool} exited with ${code}: ${stderr.trim()}`))));
  });
}

/** `pg_dump --format=custom` of the whole database into `file`. */
export async function dumpPortalDatabase(databaseUrl: string, file: string) {
  const { args, env } = connectionArgs(databaseUrl);
  await run("pg_dump", [...args, "--format=custom", "--no-owner", "--file", file], env);
}

/**
 * `pg_restore` of `file` into the database, replacing what is there (`--clean --if-exists`), in one transaction:
 * a restore that fails half-way leaves the database as it was.
 */
export async function restorePortalDatabase(databaseUrl: string, file: string) {
  const { args, env } = connectionArgs(databaseUrl);
  await run("pg_restore", [...args, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", file], env);
}
