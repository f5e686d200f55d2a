import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./e2e/fixtures/chromium";

// The suite runs against `next build && next start` (what users get), started by e2e/server.ts with its
// own embedded or given Postgres, a worker and the local drivers.
const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: "e2e",
  // Its own folder: Playwright empties outputDir at start, and vitest's report sits in test-results/.
  outputDir: "test-results/playwright",
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e-results.json" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
  // The walking skeleton runs a second time on a phone-sized screen: the page checks of e2e/fixtures/test.ts
  // then also refuse any page that scrolls sideways.
  projects: [
    { name: "desktop" },
    {
      name: "phone",
      testMatch: /walking-skeleton\.spec\.ts$/,
      use: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
    },
  ],
  webServer: {
    command: `node --import tsx e2e/server.ts`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 600_000,
    reuseExistingServer: !process.env.CI,
    stdout: "pipe",
    // The server stops its worker, local instance servers and embedded Postgres on SIGTERM.
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    stderr: "pipe",
    env: { E2E_PORT: String(port) },
  },
});
