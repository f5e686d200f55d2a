// The production edge, on loopback: a client pays, and its instance opens by its own hostname over HTTPS
// through a real HAProxy, with a certificate a real ACME CA (Pebble) issued through DNS-01. The browser
// trusts Pebble's root the way a user's machine trusts Let's Encrypt's: through its certificate store (an NSS
// database), not by ignoring certificate errors.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { chromium } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { confirmEmail, signUp } from "./fixtures/accounts";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./fixtures/chromium";
import { EDGE_BASE_DOMAIN, readEdge } from "./fixtures/harness";
import { completeWizard } from "./fixtures/registration";

const EDGE_PORT = Number(process.env.E2E_EDGE_PORT ?? 3102);

test.use({ baseURL: `http://localhost:${EDGE_PORT}` });
test.describe.configure({ timeout: 300_000 });

let server: ChildProcess | null = null;
let serverOutput = "";
const mainPort = process.env.E2E_PORT;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // The edge server reuses the build the suite's own server just made.
  server = spawn(process.execPath, ["--import", "tsx", "e2e/server.ts"], {
    env: { ...process.env, E2E_PORT: String(EDGE_PORT), E2E_SKIP_BUILD: "1", E2E_EDGE: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  server.stdout!.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  server.stderr!.on("data", (chunk: Buffer) => (serverOutput += chunk.toString()));
  const deadline = Date.now() + 200_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the edge server exited (${server.exitCode}):\n${serverOutput.slice(-4000)}`);
    if (serverOutput.includes(`e2e server ready on ${EDGE_PORT}`)) break;
    if (Date.now() > deadline) throw new Error(`the edge server did not start:\n${serverOutput.slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // The fixtures read the mail and DNS files of the server they talk to (e2e/fixtures/harness.ts).
  process.env.E2E_PORT = String(EDGE_PORT);
});

test.afterAll(async () => {
  if (mainPort === undefined) delete process.env.E2E_PORT;
  else process.env.E2E_PORT = mainPort;
  if (server?.pid && server.exitCode === null) {
    const exited = new Promise((resolve) => server!.once("exit", resolve));
    process.kill(server.pid, "SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  }
});

/** What a TLS client that trusts only `ca` sees when it asks HAProxy for `servername`. */
function tlsHandshake(port: number, servername: string, ca: string) {
  return new Promise<{ authorized: boolean; error: string | null; subjectAltName: string; issuer: string }>((resolve, reject) => {
    const socket = tls.connect({ host: "127.0.0.1", port, servername, ca, rejectUnauthorized: false }, () => {
      const peer = socket.getPeerCertificate();
      resolve({
        authorized: socket.authorized,
        error: socket.authorizationError ? String(socket.authorizationError) : null,
        subjectAltName: peer.subjectaltname ?? "",
        issuer: JSON.stringify(peer.issuer),
      });
      socket.end();
    });
    socket.on("error", reject);
  });
}

/** A Chromium whose certificate store trusts Pebble's root of this run, resolving the hosting domain to loopback. */
async function browserTrusting(rootPem: string) {
  const home = mkdtempSync(path.join(os.tmpdir(), "lyceum-e2e-home-"));
  const nssdb = path.join(home, ".pki", "nssdb");
  execFileSync("mkdir", ["-p", nssdb]);
  execFileSync("certutil", ["-N", "-d", `sql:${nssdb}`, "--empty-password"]);
  const rootFile = path.join(home, "pebble-root.pem");
  writeFileSync(rootFile, rootPem);
  execFileSync("certutil", ["-A", "-d", `sql:${nssdb}`, "-n", "Pebble root (this e2e run)", "-t", "C,,", "-i", rootFile]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    env: { ...process.env, HOME: home },
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP *.${EDGE_BASE_DOMAIN} 127.0.0.1`],
  });
  return { browser, cleanUp: () => rmSync(home, { recursive: true, force: true }) };
}

test("a paid instance opens by its hostname over HTTPS through HAProxy, with a certificate from Pebble", async ({ page }) => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const email = `edge-${suffix}@example.org`;
  const subdomain = `edge-${suffix}`;
  const name = `Edge Academy ${suffix}`;
  await signUp(page, email);
  await confirmEmail(page, email);
  await completeWizard(page, { name, subdomain, baseDomain: EDGE_BASE_DOMAIN });
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByTestId("instance-status")).toHaveText("Running", { timeout: 180_000 });

  const edge = readEdge();
  const hostname = `${subdomain}.${EDGE_BASE_DOMAIN}`;
  // The owner is sent to the load balancer's HTTPS address, not to a server's own port.
  const siteUrl = `https://${hostname}:${edge.httpsPort}/`;
  await expect(page.getByTestId("instance-link").first()).toHaveAttribute("href", siteUrl);
  // The LMS and Studio (one label under the hosting domain) are both covered by the hosting domain's one wildcard,
  // from Pebble, and verify against Pebble's root and nothing else: the instance has no certificate of its own.
  const lms = await tlsHandshake(edge.httpsPort, hostname, edge.pebbleRootPem);
  expect(lms, lms.error ?? "").toMatchObject({ authorized: true, error: null });
  expect(lms.subjectAltName).toContain(`DNS:*.${EDGE_BASE_DOMAIN}`);
  expect(lms.issuer).toMatch(/Pebble/i);
  const studio = await tlsHandshake(edge.httpsPort, `studio-${hostname}`, edge.pebbleRootPem);
  expect(studio, studio.error ?? "").toMatchObject({ authorized: true, error: null });
  expect(studio.subjectAltName).toBe(`DNS:*.${EDGE_BASE_DOMAIN}`);

  const { browser, cleanUp } = await browserTrusting(edge.pebbleRootPem);
  try {
    const site = await (await browser.newContext()).newPage();
    const response = await site.goto(siteUrl);
    expect(response?.status()).toBe(200);
    expect((await response!.securityDetails())?.issuer).toMatch(/Pebble/i);
    await expect(site.locator("body")).toContainText(name);
    expect(new URL(site.url()).hostname).toBe(hostname);
  } finally {
    await browser.close();
    cleanUp();
  }
});
