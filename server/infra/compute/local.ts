// Local compute: each deployment's "VMs" are detached Node processes serving the instance's site. Each one's pid
// and port live in <state dir>/compute/<server key>/ (the deployment id, then "-<index>" after the first server),
// so a restarted worker (or `npm run dev`) finds them.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { freePort, isPortFree } from "@/server/net/free-port";
import { localFrontDoorFile } from "../front-door/local";
import { deploymentIdOfServerKey, SERVER_KEY_PATTERN, serverKeyOf, type ComputeDriver, type ServerInfo, type ServerProgress, type ServerSpec } from "./driver";

// The program that plays the VM: a development tool (tools/local-site/), run as a separate process, never imported.
const SITE_SERVER = path.join(process.cwd(), "tools", "local-site", "site-server.mjs");
const SERVER_ID_PREFIX = "local-";
const SERVER_KEY = new RegExp(`^${SERVER_KEY_PATTERN}$`);

type ProcessState = { pid: number; port: number; startedAt: string };

/** `bootPhaseMs`: how long the site takes over each boot phase it reports (LOCAL_SITE_BOOT_PHASE_MS). */
export function createLocalComputeDriver(stateDir: string, options: { bootPhaseMs?: number } = {}): LocalComputeDriver {
  return new LocalComputeDriver(path.resolve(stateDir, "compute"), options.bootPhaseMs ?? 0);
}

class LocalComputeDriver implements ComputeDriver {
  readonly name = "local";
  /** The site process rereads its configuration file on SIGHUP. */
  readonly canReconfigureInPlace = true;
  constructor(
    private readonly root: string,
    private readonly bootPhaseMs = 0,
  ) {}

  async ensureServer(spec: ServerSpec, _signal?: AbortSignal, progress: ServerProgress = {}): Promise<ServerInfo & { isNew: boolean }> {
    const key = serverKeyOf(spec);
    const dir = this.dirOf(key);
    const previous = await this.readState(key);
    if (previous && isOurProcess(previous.pid, key)) {
      return { ...this.info(key, previous.port), isNew: false };
    }
    // The server id follows from the deployment and index: known, and so recorded, before the process starts.
    await progress.onServerKnown?.(`${SERVER_ID_PREFIX}${key}`);
    await mkdir(dir, { recursive: true });
    // Keep the old port when it is still free, so links handed out earlier keep working after a restart.
    const port = previous && (await isPortFree(previous.port)) ? previous.port : await freePort();
    const configPath = path.join(dir, "site.json");
    // The front-door file says whether visitors get the site or the maintenance page (server/infra/front-door/local.ts).
    const frontDoorFile = localFrontDoorFile(path.dirname(this.root), spec.instanceId);
    // It holds the instance's service credentials: readable by this user only, like a VM's own config.
    // It reports its boot phases to siteConfig.bootReport's URL with the deployment's token, as a VM does.
    const bootPhaseMs = this.bootPhaseMs;
    await writeFile(configPath, JSON.stringify({ ...spec.siteConfig, port, host: "127.0.0.1", frontDoorFile, bootPhaseMs }, null, 2), { mode: 0o600 });
    await this.spawnSite(key, port);
    return { ...this.info(key, port), isNew: true };
  }

  /** The process stops; its configuration and port stay for startServer. */
  async stopServer(serverId: string): Promise<void> {
    await this.stopProcess(serverId.slice(SERVER_ID_PREFIX.length));
  }

  async startServer(serverId: string): Promise<ServerInfo> {
    const key = serverId.slice(SERVER_ID_PREFIX.length);
    const state = await this.readState(key);
    if (state && isOurProcess(state.pid, key)) return this.info(key, state.port);
    const configPath = path.join(this.dirOf(key), "site.json");
    if (!existsSync(configPath)) throw new Error(`server ${serverId} has no configuration to start from (it was destroyed)`);
    const config = JSON.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
    const port = state && (await isPortFree(state.port)) ? state.port : await freePort();
    if (config.port !== port) await writeFile(configPath, JSON.stringify({ ...config, port }, null, 2), { mode: 0o600 });
    await this.spawnSite(key, port);
    return this.info(key, port);
  }

  private async spawnSite(key: string, port: number) {
    const dir = this.dirOf(key);
    const log = openSync(path.join(dir, "server.log"), "a");
    try {
      // The last argument names the process as this server's (isOurProcess); the one before, its deployment.
      const deploymentId = deploymentIdOfServerKey(key);
      const names = key === deploymentId ? [key] : [deploymentId, key];
      const child = spawn(process.execPath, [SITE_SERVER, path.join(dir, "site.json"), ...names], {
        detached: true, // a VM outlives the worker that booted it
        stdio: ["ignore", log, log],
      });
      child.unref();
      if (!child.pid) throw new Error("the site process did not start");
      const state: ProcessState = { pid: child.pid, port, startedAt: new Date().toISOString() };
      await writeFile(path.join(dir, "state.json"), JSON.stringify(state));
    } finally {
      closeSync(log);
    }
  }

  async reconfigureServer(serverId: string, siteConfig: Record<string, unknown>): Promise<void> {
    const key = serverId.slice(SERVER_ID_PREFIX.length);
    const state = await this.readState(key);
    const isRunning = !!state && isOurProcess(state.pid, key);
    // A server stopped during a long suspension (stopServer) takes the configuration when it starts again.
    if (!isRunning && !existsSync(path.join(this.dirOf(key), "site.json"))) throw new Error(`server ${serverId} is not running`);
    // What the driver itself put in the file (address, front-door file) stays; the site's settings change.
    const configPath = path.join(this.dirOf(key), "site.json");
    const { port, host, frontDoorFile } = JSON.parse(await readFile(configPath, "utf8")) as Record<string, unknown>;
    // Written whole, then renamed: the site process never reads half a file.
    await writeFile(`${configPath}.new`, JSON.stringify({ ...siteConfig, port, host, frontDoorFile }, null, 2), { mode: 0o600 });
    await rename(`${configPath}.new`, configPath);
    if (isRunning) process.kill(state.pid, "SIGHUP");
  }

  async destroyServer(serverId: string): Promise<void> {
    const key = serverId.slice(SERVER_ID_PREFIX.length);
    await this.stopProcess(key);
    await rm(this.dirOf(key), { recursive: true, force: true });
  }

  async listServers(): Promise<ServerInfo[]> {
    const result: ServerInfo[] = [];
    for (const key of await this.keys()) {
      const state = await this.readState(key);
      if (state && isOurProcess(state.pid, key)) result.push(this.info(key, state.port));
    }
    return result;
  }

  /** Stops every local server but keeps their state, so the next start can serve them again. */
  async stopAll(): Promise<number> {
    let stopped = 0;
    for (const key of await this.keys()) if (await this.stopProcess(key)) stopped++;
    return stopped;
  }

  private async stopProcess(key: string): Promise<boolean> {
    const state = await this.readState(key);
    if (!state || !isOurProcess(state.pid, key)) return false;
    process.kill(state.pid, "SIGTERM");
    for (let waited = 0; waited < 5000 && isOurProcess(state.pid, key); waited += 50) await sleep(50);
    if (isOurProcess(state.pid, key)) process.kill(state.pid, "SIGKILL");
    return true;
  }

  private info(key: string, port: number): ServerInfo {
    return { serverId: `${SERVER_ID_PREFIX}${key}`, address: `127.0.0.1:${port}` };
  }

  private dirOf(key: string) {
    if (!SERVER_KEY.test(key)) throw new Error(`Not a server key: ${key}`);
    return path.join(this.root, key);
  }

  private async keys(): Promise<string[]> {
    if (!existsSync(this.root)) return [];
    return (await readdir(this.root)).filter((name) => SERVER_KEY.test(name));
  }

  private async readState(key: string): Promise<ProcessState | null> {
    try {
      return JSON.parse(await readFile(path.join(this.dirOf(key), "state.json"), "utf8")) as ProcessState;
    } catch {
      return null;
    }
  }
}

/** Alive, and really this server's site process (a recycled pid belongs to someone else). */
function isOurProcess(pid: number, key: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Exactly its last argument: server 0's key (the deployment id) starts every other server's key.
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return args.at(-1) === key && args.some((arg) => arg.endsWith("site-server.mjs"));
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
