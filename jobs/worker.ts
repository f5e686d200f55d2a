// `npm run worker`: one worker process. Run as many as you like against one Postgres.
import { applyMigrations } from "@/db/migrate";
import { closeDb } from "@/db";
import { env } from "@/server/env";
import { startWorker } from "./start-worker";

async function main() {
  const config = env();
  await applyMigrations(config.DATABASE_URL);
  const worker = await startWorker();
  console.log(JSON.stringify({ level: "info", msg: `worker ${worker.processId} started`, pid: process.pid }));
  let isStopping = false;
  const shutdown = async (signal: string) => {
    if (isStopping) return;
    isStopping = true;
    console.log(JSON.stringify({ level: "info", msg: `${signal}: finishing current jobs, then stopping` }));
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
