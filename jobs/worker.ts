// `npm run worker`: one worker process. Run as many as you like against one Postgres.
import { applyMigrations } from "@/db/migrate";
import { closeDb } from "@/db";
import { env } from "@/server/env";
import { logger } from "@/server/observability/logger";
import { startWorker } from "./start-worker";

async function main() {
  const config = env();
  await applyMigrations(config.DATABASE_URL);
  const worker = await startWorker();
  let isStopping = false;
  const shutdown = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    logger().info({ signal }, "finishing current jobs, then stopping");
    await worker.stop();
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
