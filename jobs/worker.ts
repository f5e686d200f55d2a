// `npm run worker`: one worker process. Run as many as you like against one Postgres.
import { applyMigrations } from "@/db/migrate";
import { closeDb } from "@/db";
import { env } from "@/server/env";
import { logger } from "@/server/observability/logger";
import { unsafeShortcutsBanner } from "@/server/unsafe-shortcuts";
import { startWorker } from "./start-worker";

async function main() {
  const config = env();
  const banner = unsafeShortcutsBanner(config.unsafeShortcuts, "worker");
  if (banner) {
    console.error(banner);
    logger().warn({ service: "worker", unsafeShortcuts: config.unsafeShortcuts.map((shortcut) => shortcut.variable) }, "running with development shortcuts");
  }
  await applyMigrations(config.DATABASE_URL);
  const worker = await startWorker();
  let isStopping = false;
  const shutdown = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger().info({ signal }, "finishing current jobs, then stopping");
    await worker.stop();
    // Imported here, not at the top: the drivers load with the first job that needs them (jobs/tasks/index.ts).
    const { closeInfrastructure } = await import("@/server/infra");
    await closeInfrastructure();
    await closeDb();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
