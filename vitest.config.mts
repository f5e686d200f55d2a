import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@": path.resolve(import.meta.dirname),
      // Next's guard module throws outside the react-server build; tests import server modules directly.
      "server-only": path.resolve(import.meta.dirname, "tests/setup/empty-module.ts"),
    },
  },
  test: {
    include: ["**/*.test.ts"],
    // tests/faults/ is `npm run test:faults` (vitest.faults.config.mts): one file at a time, each on its own Postgres.
    exclude: ["**/node_modules/**", "e2e/**", "**/.next/**", ".lyceum/**", "tests/faults/**"],
    globalSetup: ["tests/setup/global.ts", "tests/setup/object-storage.ts"],
    setupFiles: ["tests/setup/env.ts", "tests/setup/sweep-resources.ts"],
    pool: "forks",
    // next-auth imports "next/server" without an extension, which Node's ESM resolver refuses; inlined, Vite
    // resolves it (tests that serve the real Auth.js routes need this).
    server: { deps: { inline: ["next-auth"] } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: "test-results/vitest-results.json" }]],
  },
});
