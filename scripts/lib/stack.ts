// Starts the whole system: database (embedded unless DATABASE_URL is set), migrations, staff account, the
// local S3 server (unless S3_ENDPOINT is set), the Next.js server and a worker. Shared by `npm run dev`, the
// e2e server and the benchmarks.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyMigrations } from "@/db/migrate";
import { parseEnv } from "@/server/env";
import { ensureBucket } from "@/server/infra/object-storage/buckets";
import { createS3Client } from "@/server/infra/object-storage/client";
import { objectStorageSettings } from "@/server/infra/object-storage/settings";
import { freePort, isPortFree } from "@/server/net/free-port";
import type { DevSecrets } from "./dev-secrets";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "./embedded-postgres";
import { chooseLocalLoadBalancer, startLocalLoadBalancer, type LocalLoadBalancer } from "./local-load-balancer";
import { prepareLocalServices } from "./local-services";
import { sweepResources, throwawayPrefix } from "./sweep-resources";
import { workerBundleEntry } from "./worker-bundle";

type StackOptions = {
  /** `dev` runs `next dev` and the worker's source; `production` runs `next start` and the worker bundle on an existing build. */
  web: "dev" | "production";
  port: number;
  stateDir: string;
  secrets: DevSecrets;
  /**
   * A stack that is thrown away after use (the e2e server, benchmarks): its resources on the shared MariaDB and
   * RabbitMQ get a random prefix of their own, and stop() removes them all.
   */
  isThrowaway?: boolean;
  /**
   * Run HAProxy in front of the instances when it is installed (`npm run dev`). Off by default: the e2e server
   * and benchmarks keep each site server as its own front door.
   */
  withLoadBalancer?: boolean;
  /** Extra environment for every process (overrides the defaults). */
  env?: Record<string, string>;
  /** Prefixed output of the child processes; silent when omitted. */
  output?: (label: string, line: string) => void;
  onUnexpectedExit?: (label: string, code: number | null, signal: NodeJS.Signals | null) => void;
};

export type Stack = {
  env: NodeJS.ProcessEnv;
  /** The local mail catcher's web inbox, when the stack started one. */
  mailInboxUrl: string | null;
  /** host:port where the instance mail relay the stack started listens. */
  mailRelayAddress: string;
  /** The local S3 server the stack started (S3_ENDPOINT unset), else null. */
  localObjectStorage: { endpoint: string; dataDir: string } | null;
  embedded: EmbeddedDatabase | null;
  /** The HAProxy the stack started, with the URLs instances are served at through it; null when none runs. */
  loadBalancer: Pick<LocalLoadBalancer, "httpUrlPattern" | "httpsUrlPattern"> | null;
  /** One line on how to get the load balancer, when it was wanted but HAProxy is not installed. */
  loadBalancerHint: string | null;
  children: Map<string, ChildProcess>;
  stop(): Promise<void>;
};

export async function startStack(options: StackOptions): Promise<Stack> {
  // A production stack runs the worker as production does, from its bundle (`npm run build:worker`), checked before
  // anything starts; `npm run dev` runs the source under tsx, so an edit needs a restart but never a build.
  const workerArgs = options.web === "production" ? [workerBundleEntry()] : ["--import", "tsx", "jobs/worker.ts"];
  let embedded: EmbeddedDatabase | null = null;
  let databaseUrl = options.env?.DATABASE_URL ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(path.join(options.stateDir, "postgres"), "lyceum");
    databaseUrl = embedded.url;
  }
  const stackEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(options.port),
    LYCEUM_STATE_DIR: options.stateDir,
    AUTH_SECRET: process.env.AUTH_SECRET ?? options.secrets.authSecret,
    AUTH_TRUST_HOST: "true",
    LYCEUM_ENCRYPTION_KEY: process.env.LYCEUM_ENCRYPTION_KEY ?? options.secrets.encryptionKey,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET ?? options.secrets.webhookSecret,
    LYCEUM_STAFF_PASSWORD: process.env.LYCEUM_STAFF_PASSWORD ?? options.secrets.staffPassword,
    LYCEUM_METRICS_TOKEN: process.env.LYCEUM_METRICS_TOKEN ?? options.secrets.metricsToken,
    // The local stack's mail catcher is on loopback; "Test connection" may reach it (and any local server).
    LYCEUM_ALLOW_PRIVATE_SMTP: process.env.LYCEUM_ALLOW_PRIVATE_SMTP ?? "1",
    // The printed staff login has no second factor; a real deployment requires one (server/auth/roles.ts).
    LYCEUM_STAFF_WITHOUT_TWO_FACTOR: process.env.LYCEUM_STAFF_WITHOUT_TWO_FACTOR ?? "1",
    ...(options.isThrowaway ? { LYCEUM_RESOURCE_PREFIX: throwawayPrefix("ls") } : {}),
    ...options.env,
    DATABASE_URL: databaseUrl,
  };

  await applyMigrations(databaseUrl);
  await seedStaff(stackEnv);
  await prepareLocalServices(stackEnv, (line) => options.output?.("services", line));

  const children = new Map<string, ChildProcess>();
  let isStopping = false;
  const bin = (name: string) => path.join(process.cwd(), "node_modules", ".bin", name);
  const start = (label: string, command: string, args: string[], stdin: "ignore" | "pipe" = "ignore") => {
    const child = spawn(command, args, { env: stackEnv, stdio: [stdin, "pipe", "pipe"] });
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.on("data", (chunk: Buffer) => {
        if (!options.output) return;
        for (const line of chunk.toString().split("\n")) if (line.trim()) options.output(label, line);
      });
    }
    child.on("exit", (code, signal) => {
      if (!isStopping) options.onUnexpectedExit?.(label, code, signal);
    });
    children.set(label, child);
    return child;
  };
  // Without a configured relay, every email goes to a local catcher with a web inbox.
  let mailInboxUrl: string | null = null;
  if (!stackEnv.LYCEUM_SMTP_URL) {
    const smtpPort = (await isPortFree(1025)) ? 1025 : await freePort();
    const webPort = (await isPortFree(1080)) ? 1080 : await freePort();
    stackEnv.LYCEUM_SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
    mailInboxUrl = `http://127.0.0.1:${webPort}`;
    stackEnv.LYCEUM_MAIL_INBOX_URL = mailInboxUrl;
    start("mail", process.execPath, [
      path.join("node_modules", "maildev", "dist", "bin", "maildev.js"),
      "--smtp", String(smtpPort), "--ip", "127.0.0.1", "--web", String(webPort), "--web-ip", "127.0.0.1",
    ]);
  }
  // Without S3_ENDPOINT, object storage is a local S3 server whose root key is the platform's S3 key.
  let localObjectStorage: Stack["localObjectStorage"] = null;
  if (!stackEnv.S3_ENDPOINT) {
    const dataDir = path.join(options.stateDir, "s3");
    stackEnv.S3_ACCESS_KEY_ID = options.secrets.s3AccessKeyId;
    stackEnv.S3_SECRET_ACCESS_KEY = options.secrets.s3SecretAccessKey;
    stackEnv.S3_REGION ||= "us-east-1";
    const port = await preferredLocalS3Port(options.stateDir);
    // --exit-with-stdin: the server also stops if this process dies without stopping it.
    const child = start("s3", process.execPath, ["--import", "tsx", LOCAL_S3_MAIN, "--data-dir", dataDir, "--port", String(port), "--exit-with-stdin"], "pipe");
    const endpoint = await waitForOutput(child, /listening on (http:\/\/\S+)/, 30_000);
    writeFileSync(path.join(options.stateDir, "s3-port"), new URL(endpoint).port);
    stackEnv.S3_ENDPOINT = endpoint;
    stackEnv.S3_FORCE_PATH_STYLE = "true";
    localObjectStorage = { endpoint, dataDir };
    const config = parseEnv(stackEnv);
    const client = createS3Client(objectStorageSettings(config));
    try {
      await ensureBucket(client, config.LYCEUM_ASSETS_BUCKET);
      await ensureBucket(client, config.LYCEUM_BACKUP_BUCKET);
    } finally {
      client.destroy();
    }
  }
  // HAProxy before the worker and web, which then find its files and master socket under the state dir.
  let loadBalancer: LocalLoadBalancer | null = null;
  let loadBalancerHint: string | null = null;
  if (options.withLoadBalancer) {
    const choice = await chooseLocalLoadBalancer(stackEnv);
    loadBalancerHint = choice.hint;
    if (choice.isWanted) {
      loadBalancer = await startLocalLoadBalancer(stackEnv, (line) => options.output?.("haproxy", line));
      children.set("haproxy", loadBalancer.child);
      loadBalancer.child.on("exit", (code, signal) => {
        if (!isStopping) options.onUnexpectedExit?.("haproxy", code, signal);
      });
    }
  }
  // The instance mail relay (server/mail/relay/): VMs on the platform's relay send through it with their own
  // credentials, and it forwards to LYCEUM_SMTP_URL (the catcher above, unless a relay is configured).
  if (!stackEnv.LYCEUM_MAIL_RELAY_LISTEN) {
    const relayPort = (await isPortFree(MAIL_RELAY_PORT)) ? MAIL_RELAY_PORT : await freePort();
    stackEnv.LYCEUM_MAIL_RELAY_LISTEN = `127.0.0.1:${relayPort}`;
  }
  const mailRelay = start("mail-relay", process.execPath, ["--import", "tsx", MAIL_RELAY_MAIN]);
  const mailRelayAddress = await waitForOutput(mailRelay, /Mail relay listening on (\S+)/, 30_000);
  start("worker", process.execPath, workerArgs);
  start("web", bin("next"), [options.web === "dev" ? "dev" : "start", "--port", String(options.port)]);

  return {
    env: stackEnv,
    mailInboxUrl,
    mailRelayAddress,
    localObjectStorage,
    embedded,
    loadBalancer: loadBalancer && { httpUrlPattern: loadBalancer.httpUrlPattern, httpsUrlPattern: loadBalancer.httpsUrlPattern },
    loadBalancerHint,
    children,
    async stop() {
      if (isStopping) return;
      isStopping = true;
      await Promise.all([...children.values()].map(terminate));
      const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
      await createLocalComputeDriver(options.stateDir).stopAll();
      if (options.isThrowaway) {
        await sweepResources(stackEnv.LYCEUM_RESOURCE_PREFIX!, stackEnv).catch((error: unknown) => {
          options.output?.("services", `could not remove this stack's resources: ${(error as Error).message}`);
        });
      }
      await embedded?.stop();
    },
  };
}

const LOCAL_S3_MAIN = path.join("tools", "local-s3", "main.ts");
const MAIL_RELAY_MAIN = path.join("server", "mail", "relay", "main.ts");
/** The submission relay's usual development port (587 needs root); any free one when it is taken. */
const MAIL_RELAY_PORT = 2525;

/** The port the local S3 server had last time when it is still free (so URLs handed out keep working), else any. */
async function preferredLocalS3Port(stateDir: string): Promise<number> {
  const file = path.join(stateDir, "s3-port");
  const previous = existsSync(file) ? Number(readFileSync(file, "utf8")) : 0;
  return previous > 0 && (await isPortFree(previous)) ? previous : 0;
}

/** The first capture of `pattern` in a child's stdout; fails if the child exits first or takes too long. */
function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => finish(new Error(`no "${pattern.source}" from the child within ${timeoutMs / 1000} s`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match?.[1]) finish(null, match[1]);
    };
    const onExit = (code: number | null) => finish(new Error(`the child exited (${code}) before it was ready`));
    const finish = (error: Error | null, value?: string) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(value!);
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** The staff account exists with the configured password (in a child, so this process opens no pool). */
async function seedStaff(stackEnv: NodeJS.ProcessEnv) {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/seed-staff.ts"], {
      env: stackEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`seeding the staff account failed (${code})`))));
  });
}

function terminate(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

export async function waitForHttp(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}
