import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort } from "../server/net/free-port";
import { expect, test, type Page } from "./fixtures/test";

// `npm run dev` once fell into an endless reload loop after a restart: every page reloaded itself several times a
// second. This runs the real `npm run dev` (its state under .lyceum/, inside the project as a developer's is),
// restarts it, and watches a page of the restarted server: it loads once, and the files the running stack writes
// under its state folder (the database, the local S3 server, instance servers) never make Next rebuild the page.
test.setTimeout(600_000);

const STATE_DIR = path.join(".lyceum", "e2e-dev-restart");

type Dev = { child: ChildProcess; url: string; output: string[] };

async function startDev(port: number, ports: { http: number; https: number; smtp: number }): Promise<Dev> {
  const output: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    LYCEUM_STATE_DIR: STATE_DIR,
    HAPROXY_HTTP_PORT: String(ports.http),
    HAPROXY_HTTPS_PORT: String(ports.https),
    LYCEUM_MAIL_RELAY_LISTEN: `127.0.0.1:${ports.smtp}`,
    NODE_ENV: "development",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const starting = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run dev printed no URL within 180 s:\n${output.slice(-30).join("\n")}`)), 180_000);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        output.push(line);
        const match = /Lyceum is running: \S*(http:\/\/localhost:\d+)/.exec(line.replace(/\x1b\[[0-9;]*m/g, ""));
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`npm run dev exited (${code}):\n${output.slice(-30).join("\n")}`)));
  });
  try {
    return { child, url: await starting, output };
  } catch (error) {
    // A start that never got ready still runs its stack (the embedded Postgres in a process group of its own):
    // Ctrl-C stops all of it, as for a developer.
    await stopDev({ child, url: "", output });
    throw error;
  }
}

async function stopDev(dev: Dev) {
  if (dev.child.exitCode !== null) return;
  const exited = new Promise((resolve) => dev.child.once("exit", resolve));
  dev.child.kill("SIGINT");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
  if (dev.child.exitCode === null) process.kill(-dev.child.pid!, "SIGKILL");
}

/**
 * Counts the document loads of the page and the rebuild notices Next's dev server sends it, and keeps the frames
 * that make Next's client reload a page (docs/testing.md lists them), so a failure says which one it was.
 */
function watchReloads(page: Page) {
  const seen = { documentLoads: 0, rebuilds: 0, reloadCauses: [] as string[] };
  page.on("request", (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) seen.documentLoads++;
  });
  page.on("websocket", (socket) => {
    socket.on("framereceived", ({ payload }) => {
      if (typeof payload !== "string") return;
      if (payload.startsWith('{"type":"building"')) seen.rebuilds++;
      if (/^\{"type":"(reloadPage|serverComponentChanges|turbopack-message)"/.test(payload)) seen.reloadCauses.push(payload.slice(0, 200));
    });
  });
  return seen;
}

test("after a restart, `npm run dev` serves a page that loads once and stays put", async ({ page }) => {
  rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
  const ports = { http: await freePort(), https: await freePort(), smtp: await freePort() };
  const port = await freePort();
  let dev = await startDev(port, ports);
  try {
    // First run: compile the log-in page (a client-side form) once, as a developer's first visit does.
    await page.goto(`${dev.url}/login`, { timeout: 300_000 });
    await expect(page.getByRole("button", { name: "Log in" })).toBeVisible({ timeout: 60_000 });
    await stopDev(dev);

    dev = await startDev(port, ports);
    const seen = watchReloads(page);
    await page.goto(`${dev.url}/login`, { timeout: 300_000 });
    await expect(page.getByRole("button", { name: "Log in" })).toBeVisible({ timeout: 60_000 });
    // Let the first compile's own notices settle, then count from a quiet page.
    await page.waitForTimeout(5_000);
    const before = { ...seen };
    // What a running stack writes under its state folder: a burst of files as the database or the S3 server does.
    const scratch = path.join(STATE_DIR, "scratch");
    mkdirSync(scratch, { recursive: true });
    for (let i = 0; i < 20; i++) {
      writeFileSync(path.join(scratch, `file-${i % 4}`), `${i}`);
      await page.waitForTimeout(100);
    }
    await page.waitForTimeout(8_000);
    expect(seen.documentLoads, `document loads of the page after the restart (frames that can reload a page: ${seen.reloadCauses.join(", ") || "none"})`).toBe(1);
    expect(seen.rebuilds - before.rebuilds, "rebuild notices caused by the stack's own files").toBe(0);
    await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  } finally {
    await stopDev(dev);
    rmSync(STATE_DIR, { recursive: true, force: true });
  }
});
