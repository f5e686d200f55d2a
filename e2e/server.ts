// The e2e suite's server: a production build (`next build`, then `next start`), the bundled worker, and a fresh
// database: embedded in a temporary folder, or a new database on DATABASE_URL's server.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { loadOrCreateDevSecrets } from "../scripts/lib/dev-secrets";
import { startStack, waitForHttp } from "../scripts/lib/stack";
import { buildWorkerBundle } from "../scripts/lib/worker-bundle";
import { startDnsServer } from "../tests/helpers/dns-server";
import { startPebble, type Pebble } from "../tests/helpers/pebble";
import { startSmtpCatcher } from "../tests/helpers/smtp-catcher";
import { freePort } from "../server/net/free-port";
import { dnsRecordsFile, EDGE_BASE_DOMAIN, recordDatabaseUrl, recordEdge, recordMail, resetHarness } from "./fixtures/harness";
import { E2E_STAFF } from "./fixtures/staff";

async function freshDatabaseOn(serverUrl: string): Promise<string> {
  const name = `lyceum_e2e_${Date.now()}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main() {
  const port = Number(process.env.E2E_PORT ?? 3100);
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-e2e-"));
  if (process.env.E2E_SKIP_BUILD !== "1") {
    execFileSync(path.join("node_modules", ".bin", "next"), ["build"], {
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    // The worker runs from its production bundle too (scripts/lib/stack.ts).
    await buildWorkerBundle();
  }
  const databaseUrl = process.env.DATABASE_URL ? await freshDatabaseOn(process.env.DATABASE_URL) : undefined;
  // The specs read the portal's email and control the DNS records it sees (e2e/fixtures/harness.ts).
  resetHarness();
  const mail = await startSmtpCatcher({ onMessage: recordMail });
  const dns = await startDnsServer({ recordsFile: dnsRecordsFile() });
  // E2E_EDGE=1 (e2e/https-through-haproxy.spec.ts starts a second server so): the production edge on loopback,
  // a real HAProxy in front of the instances, certificates from Pebble (a real ACME CA) through DNS-01 with
  // pebble-challtestsrv as the DNS, under a hosting domain that is not *.localhost.
  const isEdge = process.env.E2E_EDGE === "1";
  let pebble: Pebble | null = null;
  let edgeEnv: Record<string, string> = {};
  if (isEdge) {
    pebble = await startPebble();
    edgeEnv = {
      LYCEUM_BASE_DOMAIN: EDGE_BASE_DOMAIN,
      DNS_DRIVER: "challtestsrv",
      CHALLTESTSRV_URL: pebble.challtestsrvUrl,
      ACME_DIRECTORY_URL: pebble.directoryUrl,
      ACME_CA_CERTS: pebble.caFile,
      ACME_EMAIL: `certificates@${EDGE_BASE_DOMAIN}`,
      LOAD_BALANCER_DRIVER: "haproxy",
      HAPROXY_HTTP_PORT: String(await freePort()),
      HAPROXY_HTTPS_PORT: String(await freePort()),
    };
  }
  const stack = await startStack({
    web: "production",
    port,
    stateDir,
    isThrowaway: true,
    secrets: loadOrCreateDevSecrets(stateDir),
    env: {
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      NODE_ENV: "production",
      LYCEUM_SMTP_URL: mail.url,
      LYCEUM_DNS_RESOLVER: dns.address,
      LYCEUM_STAFF_EMAIL: E2E_STAFF.email,
      LYCEUM_STAFF_PASSWORD: E2E_STAFF.password,
      // The fault-injection spec makes steps fail through the fault_injections table.
      LYCEUM_ENABLE_FAULT_INJECTION: "1",
      // A production build with development shortcuts (server/unsafe-shortcuts.ts), each named so start-up allows
      // it: offline billing, fault injection, SMTP tests against the loopback mail catcher, and the seeded staff
      // login without a second factor.
      LYCEUM_UNSAFE_LOCAL_BILLING: "1",
      LYCEUM_UNSAFE_FAULT_INJECTION: "1",
      LYCEUM_UNSAFE_PRIVATE_SMTP: "1",
      LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR: "1",
      // The local site takes this long over each boot phase it reports, so e2e/boot-phases.spec.ts can watch them.
      LOCAL_SITE_BOOT_PHASE_MS: "1500",
      ...edgeEnv,
    },
    withLoadBalancer: isEdge,
    output: (label, line) => console.log(`[${label}] ${line}`),
    onUnexpectedExit: (label, code) => {
      console.error(`${label} exited unexpectedly (${code})`);
      void stack.stop().then(() => process.exit(1));
    },
  });
  const stop = () =>
    void Promise.all([stack.stop(), mail.close(), dns.close(), pebble?.stop()]).then(() => {
      rmSync(stateDir, { recursive: true, force: true });
      process.exit(0);
    });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await waitForHttp(`http://127.0.0.1:${port}/api/health`, 120_000);
  recordDatabaseUrl(stack.env.DATABASE_URL!);
  if (pebble) {
    recordEdge({
      httpPort: Number(edgeEnv.HAPROXY_HTTP_PORT),
      httpsPort: Number(edgeEnv.HAPROXY_HTTPS_PORT),
      pebbleRootPem: await pebble.issuingRootPem(),
    });
  }
  console.log(`e2e server ready on ${port}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
