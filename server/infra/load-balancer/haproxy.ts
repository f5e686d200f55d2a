// A local HAProxy in master-worker mode, run from files under one directory (the state dir's
// `load-balancer/`, so the web process, the worker and `npm run dev` all find the same files and sockets).
//
// Each configuration is written to a directory of its own (configs/<generation>/), checked with `haproxy -c`,
// and only then made current by swapping the `current` symlink atomically; the master is told to reload
// through its CLI socket. The master re-reads current/haproxy.cfg and starts a new worker, which takes over
// the listening sockets from the old one (`expose-fd listeners`), so no connection is refused; the old worker
// finishes what it is serving and exits. A configuration that fails the check is never made current.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import type { ApplyResult, LoadBalancerDriver } from "./driver";
import { parseStatCsv, processIdFromInfo, siteBackendName, type HaproxyStatsSource, type StatsSnapshot } from "./load";
import { CONFIG_FILE, renderHaproxy, type RenderedLoadBalancer, type RenderOptions } from "./render-haproxy";
import type { LoadBalancerState } from "./state";

const run = promisify(execFile);

export class HaproxyConfigRefusedError extends Error {}
class HaproxyNotRunningError extends Error {}

type HaproxyPaths = ReturnType<typeof haproxyPaths>;

/** Renders the files for the directories this HAProxy reads them from. */
export type RenderFor = (options: RenderOptions) => RenderedLoadBalancer;

/** Where everything lives; the one place that knows the layout. */
function haproxyPaths(dir: string) {
  const root = path.resolve(dir);
  return {
    root,
    configs: path.join(root, "configs"),
    current: path.join(root, "current"),
    currentConfig: path.join(root, "current", CONFIG_FILE),
    certs: path.join(root, "certs"),
    masterSocket: path.join(root, "master.sock"),
    adminSocket: path.join(root, "admin.sock"),
    pidFile: path.join(root, "haproxy.pid"),
  };
}

/** The directory under a state dir that the web process, the worker and `npm run dev` agree on. */
export function haproxyDirIn(stateDir: string) {
  return path.resolve(stateDir, "load-balancer");
}

type ProcessList = { masterPid: number; reloads: number; failedReloads: number; workers: { pid: number; reloads: number }[] };

const VALIDATE_TIMEOUT_MS = 30_000;
const RELOAD_TIMEOUT_MS = 15_000;
const KEEP_GENERATIONS = 3;

export class HaproxyLoadBalancer implements LoadBalancerDriver, HaproxyStatsSource {
  readonly name = "haproxy";
  readonly paths: HaproxyPaths;
  readonly label: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    dir: string,
    private readonly bin = "/usr/sbin/haproxy",
  ) {
    this.paths = haproxyPaths(dir);
    this.label = this.paths.adminSocket;
  }

  apply(state: LoadBalancerState, signal?: AbortSignal): Promise<ApplyResult> {
    return this.applyRendered((options) => renderHaproxy(state, options), signal);
  }

  /**
   * Applies files rendered for this HAProxy's directories (e.g. what a Consul node received). One at a time:
   * two steps of this worker must not interleave their swaps.
   */
  applyRendered(render: RenderFor, signal?: AbortSignal): Promise<ApplyResult> {
    const next = this.queue.then(() => this.applyNow(render, signal, { reload: true }));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async applyNow(render: RenderFor, signal: AbortSignal | undefined, { reload }: { reload: boolean }): Promise<ApplyResult> {
    signal?.throwIfAborted();
    const generation = `${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
    const configDir = path.join(this.paths.configs, generation);
    const rendered = render({ configDir, certDir: this.paths.certs, adminSocket: this.paths.adminSocket });
    const previousDir = await this.currentDir();

    // Unchanged (the generation's own path aside): nothing to reload.
    if (previousDir && (await this.sameAs(previousDir, rendered.files, configDir))) {
      if (!reload || (await this.isRunning())) return { isChanged: false, summary: `unchanged: ${rendered.summary}` };
    }

    await mkdir(this.paths.certs, { recursive: true, mode: 0o700 });
    for (const [name, pem] of Object.entries(rendered.certificates)) {
      const file = path.join(this.paths.certs, name);
      if (!existsSync(file)) await writeAtomically(file, pem, 0o600);
    }
    await mkdir(configDir, { recursive: true });
    for (const [name, content] of Object.entries(rendered.files)) await writeFile(path.join(configDir, name), content, { mode: 0o600 });

    const problem = await this.validate(path.join(configDir, CONFIG_FILE));
    if (problem) {
      await rm(configDir, { recursive: true, force: true });
      throw new HaproxyConfigRefusedError(
        `HAProxy refused the new configuration (haproxy -c): ${problem}. ${previousDir ? "The previous configuration keeps serving." : "Nothing was started."}`,
      );
    }
    await this.makeCurrent(configDir);
    if (reload) {
      try {
        await this.reload(signal);
      } catch (error) {
        // The master could not load it after all: put the previous configuration back where it reads it. (With
        // no HAProxy running, the checked new one stays current: it is what the next start should serve.)
        if (previousDir && !(error instanceof HaproxyNotRunningError)) await this.makeCurrent(previousDir);
        throw error;
      }
    }
    await this.prune(configDir);
    return { isChanged: true, summary: rendered.summary };
  }

  validate(configFile: string): Promise<string | null> {
    return checkHaproxyConfig(this.bin, configFile);
  }

  /**
   * Starts HAProxy (master-worker, in the foreground as a child of the caller) on `state`, after stopping one
   * that a crashed run may have left behind. Resolves once a worker serves.
   */
  async start(state: LoadBalancerState | RenderFor, options: { onOutput?: (line: string) => void } = {}): Promise<ChildProcess> {
    await mkdir(this.paths.root, { recursive: true, mode: 0o700 });
    await this.stopLeftover();
    const render: RenderFor = typeof state === "function" ? state : (renderOptions) => renderHaproxy(state, renderOptions);
    await this.applyNow(render, undefined, { reload: false });
    const child = spawn(this.bin, ["-W", "-S", `${this.paths.masterSocket},mode,600`, "-f", this.paths.currentConfig, "-p", this.paths.pidFile], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lastLines: string[] = [];
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().split("\n")) {
          if (!line.trim()) continue;
          options.onOutput?.(line);
          lastLines.push(line.replace(/^\[(ALERT|WARNING|NOTICE)\]\s+\(\d+\)\s*:\s*/, "").trim());
          if (lastLines.length > 5) lastLines.shift();
        }
      });
    }
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) => reject(new Error(`haproxy exited (${signal ?? code}) while starting: ${lastLines.join("; ") || "no output"}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + RELOAD_TIMEOUT_MS;
    for (;;) {
      const processes = await Promise.race([this.processList().catch(() => null), exited]);
      if (processes?.workers.length) return child;
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`haproxy did not start within ${RELOAD_TIMEOUT_MS / 1000} s`);
      }
      await sleep(50);
    }
  }

  /** Stops the HAProxy these files belong to (the master stops its workers), if one runs. */
  async stop(): Promise<void> {
    const pid = this.runningMasterPid();
    if (!pid) return;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }

  async isRunning(): Promise<boolean> {
    try {
      return (await this.processList()).workers.length > 0;
    } catch {
      return false;
    }
  }

  /** The master's process list, from its CLI (`show proc`). */
  async processList(): Promise<ProcessList> {
    const text = await this.masterCommand("show proc");
    const master = /^(\d+)\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/m.exec(text);
    if (!master) throw new Error(`unexpected answer to show proc: ${text.slice(0, 200)}`);
    const workers = [...text.matchAll(/^(\d+)\s+worker\s+(\d+)/gm)].map((m) => ({ pid: Number(m[1]), reloads: Number(m[2]) }));
    return { masterPid: Number(master[1]), reloads: Number(master[2]), failedReloads: Number(master[3]), workers };
  }

  private async reload(signal?: AbortSignal) {
    let before: ProcessList;
    try {
      before = await this.processList();
    } catch (error) {
      throw new HaproxyNotRunningError(
        `HAProxy is not running (no master answers on ${this.paths.masterSocket}: ${(error as Error).message}); the new configuration is in place and will be used when it starts (npm run dev starts it)`,
      );
    }
    await this.masterCommand("reload");
    const deadline = Date.now() + RELOAD_TIMEOUT_MS;
    while (Date.now() < deadline) {
      signal?.throwIfAborted();
      await sleep(50);
      const after = await this.processList().catch(() => null);
      if (!after || after.reloads <= before.reloads) continue;
      if (after.failedReloads > before.failedReloads) {
        throw new HaproxyConfigRefusedError(`HAProxy could not load the new configuration (its output says why); the previous one keeps serving`);
      }
      const oldPids = new Set(before.workers.map((worker) => worker.pid));
      if (after.workers.some((worker) => !oldPids.has(worker.pid))) return;
    }
    throw new Error(`HAProxy did not confirm the reload within ${RELOAD_TIMEOUT_MS / 1000} s`);
  }

  /**
   * Each application server HAProxy balances an instance over, as its health checks see it now (`show stat` on the
   * runtime API of the current worker): UP, DOWN, and the transitions ("UP 1/2" is going down), with its
   * sessions and request counters.
   */
  async siteServerStats(instanceId: string): Promise<SiteServerStat[]> {
    const { rows } = await this.readStats();
    const backend = siteBackendName(instanceId);
    return rows
      .filter((row) => row.pxname === backend && row.svname !== "BACKEND" && row.svname !== "FRONTEND")
      .map((row) => ({
        name: row.svname!,
        address: row.addr ?? "",
        status: row.status ?? "",
        currentSessions: Number(row.scur ?? 0),
        totalSessions: Number(row.stot ?? 0),
      }));
  }

  /** `show stat` of the current worker, and its pid, from its runtime API. */
  async readStats(): Promise<StatsSnapshot> {
    const info = await socketCommand(this.paths.adminSocket, "show info");
    const stat = await socketCommand(this.paths.adminSocket, "show stat");
    return { processId: processIdFromInfo(info), rows: parseStatCsv(stat) };
  }

  /** `set server <backend>/<server> state maint|ready` on the current worker: HAProxy answers nothing when it applied it. */
  async setServerState(backend: string, server: string, state: "maint" | "ready"): Promise<void> {
    const answer = (await socketCommand(this.paths.adminSocket, `set server ${backend}/${server} state ${state}`)).trim();
    if (answer) throw new Error(`HAProxy did not put ${backend}/${server} in ${state.toUpperCase()}: ${answer}`);
  }

  /** One command on the master CLI; the master answers and closes the connection. */
  private masterCommand(command: string): Promise<string> {
    return socketCommand(this.paths.masterSocket, command);
  }

  private async currentDir(): Promise<string | null> {
    try {
      return path.resolve(this.paths.root, await readlink(this.paths.current));
    } catch {
      return null;
    }
  }

  private async sameAs(dir: string, files: Record<string, string>, renderedDir: string) {
    try {
      for (const [name, content] of Object.entries(files)) {
        const existing = await readFile(path.join(dir, name), "utf8");
        if (existing !== content.split(renderedDir).join(dir)) return false;
      }
      return true;
    } catch {
      return false;
    }
  }

  /** Points `current` at dir in one rename, so a reload reads either the old or the new configuration whole. */
  private async makeCurrent(dir: string) {
    const temporary = `${this.paths.current}.${randomBytes(3).toString("hex")}`;
    await symlink(path.relative(this.paths.root, dir), temporary);
    await rename(temporary, this.paths.current);
  }

  /**
   * Keeps the newest configurations (the current one among them), so a rollback has something to go back to,
   * and only the certificate files they name: a replaced certificate's private key does not linger on disk.
   */
  private async prune(currentDir: string) {
    const names = (await readdir(this.paths.configs)).sort().reverse();
    const keep = new Set([path.basename(currentDir), ...names.slice(0, KEEP_GENERATIONS)]);
    await Promise.all(names.filter((name) => !keep.has(name)).map((name) => rm(path.join(this.paths.configs, name), { recursive: true, force: true })));
    let referenced = "";
    for (const name of keep) {
      for (const file of await readdir(path.join(this.paths.configs, name)).catch(() => [] as string[])) {
        referenced += await readFile(path.join(this.paths.configs, name, file), "utf8");
      }
    }
    const certificates = await readdir(this.paths.certs).catch(() => [] as string[]);
    await Promise.all(
      certificates
        .filter((name) => !referenced.includes(path.join(this.paths.certs, name)))
        .map((name) => rm(path.join(this.paths.certs, name), { force: true })),
    );
  }

  private runningMasterPid(): number | null {
    if (!existsSync(this.paths.pidFile)) return null;
    const pid = Number(readFileSync(this.paths.pidFile, "utf8").trim().split("\n")[0]);
    if (!pid || !isAlive(pid)) return null;
    // Only ours: an haproxy whose command line names this directory's configuration.
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      return commandLine.includes("haproxy") && commandLine.includes(this.paths.currentConfig) ? pid : null;
    } catch {
      return null;
    }
  }

  private async stopLeftover() {
    await this.stop();
    await rm(this.paths.masterSocket, { force: true });
  }
}

/** `haproxy -c`: null when the file is valid, else HAProxy's own alerts on one line. */
/** One application server of a site as HAProxy's stats show it. */
type SiteServerStat = { name: string; address: string; status: string; currentSessions: number; totalSessions: number };

/** One command on a HAProxy CLI socket (master or runtime API); HAProxy answers and closes the connection. */
function socketCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let answer = "";
    socket.setTimeout(5000, () => socket.destroy(new Error(`no answer to "${command}" within 5 s`)));
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk) => (answer += chunk.toString()));
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
  });
}

export async function checkHaproxyConfig(bin: string, configFile: string): Promise<string | null> {
  try {
    await run(bin, ["-c", "-f", configFile], { timeout: VALIDATE_TIMEOUT_MS });
    return null;
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
    const lines = `${stderr ?? ""}\n${stdout ?? ""}`
      .split("\n")
      .map((line) => line.replace(/^\[(ALERT|WARNING|NOTICE)\]\s+\(\d+\)\s*:\s*/, "").trim())
      .filter((line) => line && !/^config\s*:\s*Fatal errors found/.test(line));
    return lines.length ? lines.join("; ") : message;
  }
}

async function writeAtomically(file: string, content: string, mode: number) {
  const temporary = `${file}.${randomBytes(3).toString("hex")}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
