// After each test file: remove whatever it left on the shared MariaDB and RabbitMQ (its own prefix only, see
// env.ts). Registered first, so this afterAll runs after the file's own (vitest runs after-hooks as a stack).
import { afterAll } from "vitest";
import { sweepResources } from "../../scripts/lib/sweep-resources";

afterAll(async () => {
  try {
    await sweepResources(process.env.LYCEUM_RESOURCE_PREFIX!);
  } catch (error) {
    // A file that never touched the services must not fail because one is down.
    const code = (error as { code?: string }).code;
    if (code !== "ECONNREFUSED" && !(error instanceof TypeError)) throw error;
  }
});
