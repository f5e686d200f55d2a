// The local stand-in for what `tutor local do init` does on a VM of a new release: the release's migrations
// (config.release.migrations, SQL) run against the instance's own databases, as its `migrate` MySQL user, from this
// deployment's server and nowhere else. Uses the `mariadb` client, as the portal's backups do.
import { spawn } from "node:child_process";

/** Runs each migration in order; resolves with what ran, rejects with the client's error. */
export async function runReleaseMigrations(config) {
  const migrations = config.release?.migrations ?? [];
  if (migrations.length === 0) return "the release has no migrations";
  const mysql = config.services?.mysql;
  const account = mysql?.users?.migrate;
  if (!mysql || !account?.password) throw new Error("the configuration has no MySQL migrate account to run the release's migrations with");
  const [host, port = "3306"] = mysql.server.split(":");
  for (const migration of migrations) {
    const database = mysql.databases?.[migration.databaseSuffix];
    if (!database) throw new Error(`migration ${migration.id}: the instance has no ${migration.databaseSuffix} database`);
    await runSql(["--host", host, "--port", port, "--protocol", "TCP", "--user", account.username, database], account.password, migration.sql, migration.id);
  }
  return `ran ${migrations.map((migration) => migration.id).join(", ")}`;
}

function runSql(args, password, sql, id) {
  return new Promise((resolve, reject) => {
    // The password through the environment, never argv (which other users of the machine can read).
    const child = spawn("mariadb", args, { env: { ...process.env, MYSQL_PWD: password }, stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk.toString("utf8")));
    child.on("error", (error) => reject(new Error(`migration ${id}: mariadb did not run (${error.message})`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`migration ${id}: ${stderr.trim().slice(0, 500) || `mariadb exited ${code}`}`))));
    child.stdin.end(sql);
  });
}
