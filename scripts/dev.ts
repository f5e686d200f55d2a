// `npm run dev`: the whole system on one machine, offline. Embedded Postgres when DATABASE_URL is unset,
// migrations, the staff account, the Next.js dev server, a worker and the instance mail relay; Ctrl-C stops all of it.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "@/server/env";
import { isPortFree } from "@/server/net/free-port";
import { loadOrCreateDevSecrets } from "./lib/dev-secrets";
import { startStack, waitForHttp, type Stack } from "./lib/stack";

const say = (line: string) => console.log(`\x1b[36m[lyceum]\x1b[0m ${line}`);

async function main() {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const stateDir = path.resolve(process.env.LYCEUM_STATE_DIR ?? ".lyceum");
  const port = Number(process.env.PORT ?? 3000);
  if (!(await isPortFree(port, "0.0.0.0"))) {
    console.error(`Port ${port} is in use. Stop what is using it, or pick another: PORT=3001 npm run dev`);
    process.exit(1);
  }
  if (!process.env.DATABASE_URL) say("DATABASE_URL is unset: starting an embedded Postgres (data in .lyceum/postgres)…");

  let stack: Stack | null = null;
  let isStopping = false;
  const stop = async (exitCode = 0) => {
    if (isStopping) return;
    isStopping = true;
    say("Stopping web, worker, mail relay, HAProxy, local S3, local instance servers and the database…");
    await stack?.stop();
    say("Stopped.");
    process.exit(exitCode);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());

  stack = await startStack({
    web: "dev",
    port,
    stateDir,
    secrets: loadOrCreateDevSecrets(stateDir),
    withLoadBalancer: true,
    output: (label, line) => process.stdout.write(`\x1b[90m[${label}]\x1b[0m ${line}\n`),
    onUnexpectedExit: (label, code, signal) => {
      say(`${label} exited (${signal ?? code}); stopping everything.`);
      void stop(1);
    },
  });
  const config = parseEnv(stack.env);
  await waitForHttp(`http://127.0.0.1:${port}/api/health`, 120_000);
  console.log(
    [
      "",
      `  Lyceum is running: \x1b[1m${config.publicUrl}\x1b[0m`,
      `  Staff login:       ${config.LYCEUM_STAFF_EMAIL} / ${config.LYCEUM_STAFF_PASSWORD}`,
      `  Database:          ${stack.embedded ? "embedded Postgres (data in .lyceum/postgres)" : "DATABASE_URL"}`,
      `  Billing:           ${config.BILLING_DRIVER === "local" ? `offline (no card needed; staff controls at ${config.publicUrl}/staff/billing)` : "Stripe"}`,
      `  Email:             ${stack.mailInboxUrl ? `every message lands in the inbox at ${stack.mailInboxUrl}` : config.LYCEUM_SMTP_URL.replace(/\/\/[^@]*@/, "//")}`,
      `  Instance mail:     VMs send through the instance mail relay at ${stack.mailRelayAddress}, each with its own credential`,
      `  Object storage:    ${objectStorageLine(stack, config)}`,
      ...instancesLines(stack),
      `  Metrics:           ${config.publicUrl}/api/metrics (Authorization: Bearer <metricsToken in .lyceum/dev-secrets.json>)`,
      "  Press Ctrl-C to stop everything.",
      "",
    ].join("\n"),
  );
}

function instancesLines(stack: Stack): string[] {
  if (!stack.loadBalancer) {
    return ["  Instances:         served at http://<subdomain>.localhost:<port>/ by local processes", ...(stack.loadBalancerHint ? [`                     ${stack.loadBalancerHint}`] : [])];
  }
  return [
    `  Instances:         served through HAProxy at ${stack.loadBalancer.httpUrlPattern}`,
    ...(stack.loadBalancer.httpsUrlPattern ? [`                     and ${stack.loadBalancer.httpsUrlPattern}`] : []),
  ];
}

function objectStorageLine(stack: Stack, config: ReturnType<typeof parseEnv>) {
  const where = stack.localObjectStorage
    ? `local S3 server at ${stack.localObjectStorage.endpoint} (data in ${path.relative(process.cwd(), stack.localObjectStorage.dataDir)})`
    : config.S3_ENDPOINT ?? `AWS S3 (${config.S3_REGION})`;
  return `${where}, bucket ${config.LYCEUM_ASSETS_BUCKET}`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
