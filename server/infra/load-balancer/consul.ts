// Production coordination: the rendered HAProxy files are published to Consul's KV store, and each HAProxy
// node (a small agent or consul-template beside it) watches them with a blocking query, writes them under
// its own directory, checks them with `haproxy -c` and reloads. Any number of workers may publish.
//
// Layout under the key prefix:
//   blobs/<sha256>  file contents, content-addressed, in chunks below Consul's 512 KiB value limit (the host
//                   map of thousands of instances is bigger than one value);
//   manifest        JSON: every file's path (inside the node's directory) and its chunks, written last with
//                   check-and-set on its ModifyIndex. Nodes watch only this key, so they never see half a
//                   configuration, and two workers cannot overwrite each other's newer state unnoticed.
// API: https://developer.hashicorp.com/consul/api-docs/kv (PUT ?cas=, GET ?index=&wait=, ?keys, X-Consul-Token).
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ApplyResult, LoadBalancerDriver } from "./driver";
import { checkHaproxyConfig, HaproxyConfigRefusedError } from "./haproxy";
import { CONFIG_FILE, renderHaproxy, type RenderedLoadBalancer } from "./render-haproxy";
import type { LoadBalancerState } from "./state";

type ConsulLoadBalancerOptions = {
  /** The Consul agent's HTTP API, e.g. http://127.0.0.1:8500. */
  url: string;
  /** An ACL token with key:write on the prefix. */
  token?: string;
  /** e.g. lyceum/load-balancer (no leading or trailing slash). */
  prefix: string;
  /** Where the HAProxy nodes keep the files: the rendered configuration refers to paths below it. */
  nodeDir: string;
  /** When this HAProxy binary exists here, every configuration is checked with `haproxy -c` before publishing. */
  haproxyBin?: string;
  fetch?: typeof fetch;
};

export type ConsulManifest = {
  renderedAt: string;
  summary: string;
  /** Path relative to the node's directory → the blob keys (sha256) of its chunks, in order. */
  files: Record<string, string[]>;
};

type PublishedManifest = { manifest: ConsulManifest; modifyIndex: number };

/** Someone else published between our read and our write: re-render from the database and try again. */
export class ConsulConflictError extends Error {}

const CHUNK_BYTES = 400 * 1024;
const REQUEST_TIMEOUT_MS = 15_000;

export class ConsulLoadBalancer implements LoadBalancerDriver {
  readonly name = "consul";
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ConsulLoadBalancerOptions) {
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(options.prefix)) throw new Error(`CONSUL_KV_PREFIX must look like lyceum/load-balancer, not ${JSON.stringify(options.prefix)}`);
    this.fetch = options.fetch ?? fetch;
  }

  /** What the nodes' configuration looks like: the same renderer, pointed at the nodes' directory. */
  render(state: LoadBalancerState): RenderedLoadBalancer {
    const dir = this.options.nodeDir.replace(/\/$/, "");
    return renderHaproxy(state, { configDir: `${dir}/config`, certDir: `${dir}/certs`, adminSocket: `${dir}/admin.sock` });
  }

  async apply(state: LoadBalancerState, signal?: AbortSignal): Promise<ApplyResult> {
    const rendered = this.render(state);
    await this.check(state);
    const files: Record<string, string> = {
      ...Object.fromEntries(Object.entries(rendered.files).map(([name, content]) => [`config/${name}`, content])),
      ...Object.fromEntries(Object.entries(rendered.certificates).map(([name, content]) => [`certs/${name}`, content])),
    };

    const current = await this.readManifest({ signal });
    const chunksOf: Record<string, string[]> = {};
    const blobs = new Map<string, Buffer>();
    for (const [name, content] of Object.entries(files)) {
      const bytes = Buffer.from(content);
      chunksOf[name] = [];
      for (let offset = 0; offset === 0 || offset < bytes.length; offset += CHUNK_BYTES) {
        const chunk = bytes.subarray(offset, offset + CHUNK_BYTES);
        const key = createHash("sha256").update(chunk).digest("hex");
        blobs.set(key, chunk);
        chunksOf[name].push(key);
      }
    }
    if (current && sameFiles(current.manifest.files, chunksOf)) return { isChanged: false, summary: `unchanged: ${rendered.summary}` };

    const existing = new Set(await this.listBlobs(signal));
    for (const [key, chunk] of blobs) {
      // cas=0: only if absent. A blob's key is its content's hash, so one that exists already is this one.
      if (!existing.has(key)) await this.put(`blobs/${key}`, chunk, { cas: 0 }, signal);
    }
    const manifest: ConsulManifest = { renderedAt: new Date().toISOString(), summary: rendered.summary, files: chunksOf };
    const isWritten = await this.put("manifest", Buffer.from(JSON.stringify(manifest)), { cas: current?.modifyIndex ?? 0 }, signal);
    if (!isWritten) {
      throw new ConsulConflictError(`another worker published a load balancer configuration to ${this.options.prefix}/manifest meanwhile`);
    }
    return { isChanged: true, summary: `${rendered.summary} (published to Consul)` };
  }

  /** The published manifest and its ModifyIndex; null when nothing was published yet. */
  async readManifest(options: { signal?: AbortSignal } = {}): Promise<PublishedManifest | null> {
    return (await this.manifestAfter(undefined, options)).published;
  }

  /**
   * A blocking query (what a node runs in a loop): Consul answers when the manifest changes past `index`, or
   * after `wait` with the same index. Without an index it answers at once. `index` is the next one to pass.
   */
  async manifestAfter(index: number | undefined, options: { wait?: string; signal?: AbortSignal } = {}): Promise<{ index: number; published: PublishedManifest | null }> {
    const query = index !== undefined ? { index: String(index), wait: options.wait ?? "5m" } : undefined;
    const response = await this.request("GET", "manifest", { query, signal: options.signal, timeoutMs: index !== undefined ? 10 * 60_000 : REQUEST_TIMEOUT_MS });
    const nextIndex = Number(response.headers.get("x-consul-index") ?? 0);
    if (response.status === 404) return { index: nextIndex, published: null };
    const [entry] = (await response.json()) as { Value: string | null; ModifyIndex: number }[];
    if (!entry?.Value) return { index: nextIndex, published: null };
    const manifest = JSON.parse(Buffer.from(entry.Value, "base64").toString("utf8")) as ConsulManifest;
    return { index: nextIndex, published: { manifest, modifyIndex: entry.ModifyIndex } };
  }

  /**
   * The default certificate every worker publishes: kept in Consul (made by the first worker that needs it), so
   * workers do not each render a different one and keep replacing each other's configuration.
   */
  async sharedDefaultCertificate(make: () => Promise<{ chainPem: string; keyPem: string }>, signal?: AbortSignal) {
    type Pair = { chainPem: string; keyPem: string };
    const read = async (): Promise<Pair | null> => {
      const response = await this.request("GET", "default-certificate", { query: { raw: "" }, signal });
      return response.status === 404 ? null : (JSON.parse(await response.text()) as Pair);
    };
    const existing = await read();
    if (existing) return existing;
    const made = await make();
    if (await this.put("default-certificate", Buffer.from(JSON.stringify(made)), { cas: 0 }, signal)) return made;
    const winner = await read();
    if (!winner) throw new Error(`Consul lost ${this.options.prefix}/default-certificate right after it was written`);
    return winner;
  }

  /** The files a manifest names, put back together (what a node writes under its directory). */
  async readFiles(manifest: ConsulManifest, signal?: AbortSignal): Promise<Record<string, string>> {
    const files: Record<string, string> = {};
    for (const [name, keys] of Object.entries(manifest.files)) {
      const chunks: Buffer[] = [];
      for (const key of keys) {
        const response = await this.request("GET", `blobs/${key}`, { query: { raw: "" }, signal });
        if (response.status === 404) throw new Error(`Consul has no ${this.options.prefix}/blobs/${key} (part of ${name})`);
        chunks.push(Buffer.from(await response.arrayBuffer()));
      }
      files[name] = Buffer.concat(chunks).toString("utf8");
    }
    return files;
  }

  private async listBlobs(signal?: AbortSignal): Promise<string[]> {
    const response = await this.request("GET", "blobs/", { query: { keys: "" }, signal });
    if (response.status === 404) return [];
    const keys = (await response.json()) as string[];
    const prefix = `${this.options.prefix}/blobs/`;
    return keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
  }

  /** PUT a value; Consul answers `true`, or `false` when the check-and-set did not match. */
  private async put(key: string, body: Buffer, query: { cas: number }, signal?: AbortSignal): Promise<boolean> {
    const response = await this.request("PUT", key, { query: { cas: String(query.cas) }, body, signal });
    const answer = (await response.text()).trim();
    if (answer !== "true" && answer !== "false") throw new Error(`Consul answered PUT ${this.options.prefix}/${key} with ${answer.slice(0, 100)}`);
    return answer === "true";
  }

  private async request(
    method: "GET" | "PUT",
    key: string,
    options: { query?: Record<string, string>; body?: Buffer; signal?: AbortSignal; timeoutMs?: number },
  ): Promise<Response> {
    const url = new URL(`/v1/kv/${this.options.prefix}/${key}`, this.options.url);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = {};
    if (this.options.token) headers["x-consul-token"] = this.options.token;
    if (options.body) headers["content-type"] = "application/octet-stream";
    const timeout = AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers,
        body: options.body ? new Uint8Array(options.body) : undefined,
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new Error(`Consul ${method} ${this.options.prefix}/${key} at ${this.options.url}: ${(error as Error).message}`);
    }
    if (response.ok || response.status === 404) return response;
    const text = (await response.text()).trim().slice(0, 200);
    const hint = response.status === 403 ? " (CONSUL_TOKEN needs key:write on the prefix)" : "";
    throw new Error(`Consul ${method} ${this.options.prefix}/${key}: HTTP ${response.status} ${text}${hint}`);
  }

  /** `haproxy -c` on a copy with local paths, when HAProxy is installed where the worker runs. */
  private async check(state: LoadBalancerState) {
    if (!this.options.haproxyBin || !existsSync(this.options.haproxyBin)) return;
    const dir = await mkdtemp(path.join(os.tmpdir(), "lyceum-lb-check-"));
    try {
      const local = renderHaproxy(state, { configDir: path.join(dir, "config"), certDir: path.join(dir, "certs"), adminSocket: null });
      await mkdir(path.join(dir, "config"));
      await mkdir(path.join(dir, "certs"));
      for (const [name, content] of Object.entries(local.files)) await writeFile(path.join(dir, "config", name), content);
      for (const [name, content] of Object.entries(local.certificates)) await writeFile(path.join(dir, "certs", name), content, { mode: 0o600 });
      const problem = await checkHaproxyConfig(this.options.haproxyBin, path.join(dir, "config", CONFIG_FILE));
      if (problem) throw new HaproxyConfigRefusedError(`HAProxy refused the new configuration (haproxy -c): ${problem}. Nothing was published; the nodes keep the previous one.`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function sameFiles(a: Record<string, string[]>, b: Record<string, string[]>) {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => a[name]?.join() === b[name]?.join());
}
