// `npm run test:faults`: the fault suite (tests/faults/). Each file breaks something (a Postgres it stops, a network
// path it holds through tests/helpers/fault-proxy.ts), so files run one at a time, each on a Postgres of its own
// (tests/faults/helpers/own-postgres.ts). `npm test` does not pick them up (vitest.config.mts excludes the folder).
import { defineConfig } from "vitest/config";
import base from "./vitest.config.mts";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["tests/faults/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    globalSetup: ["tests/faults/setup/global.ts", "tests/setup/object-storage.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    reporters: ["default", ["json", { outputFile: "test-results/faults-results.json" }]],
  },
});
