// Starts a graphile-worker runner with our tasks, heartbeat and crash recovery; used by `npm run worker`,
// `npm run dev`, the tests and the benchmarks.
import { randomUUID } from "node:crypto";
import { Logger, makeWorkerUtils, run, type Runner } from "graphile-worker";
import { env } from "@/server/env";
import {
  addGraphileWorkerId,
  beat,
  HEARTBEAT_INTERVAL_MS,
  registerWorkerProcess,
  releaseStaleLocks,
  unregisterWorkerProcess,
} from "./crash-recovery";
import { taskList } from "./tasks";

export type WorkerHandle = { processId: string; runner: Runner; stop(): Promise<void> };

export async function startWorker(options: { concurrency?: number; quiet?: boolean } = {}): Promise<WorkerHandle> {
  const config = env();
  const processId = `proc-${randomUUID()}`;
  await registerWorkerProcess(processId);
  const utils = await makeWorkerUtils({ connectionString: config.DATABASE_URL });
  await releaseStaleLocks(utils);

  const logger = new Logger((scope) => (level, message) => {
    if (options.quiet && level !== "error") return;
    if (level === "debug") return;
    const line = JSON.stringify({ level, time: new Date().toISOString(), scope: scope.label, job: scope.jobId, task: scope.taskIdentifier, msg: message });
    (level === "error" || level === "warning" ? console.error : console.log)(line);
  });

  const runner = await run({
    connectionString: config.DATABASE_URL,
    concurrency: options.concurrency ?? config.WORKER_CONCURRENCY,
    noHandleSignals: true,
    pollInterval: 1000,
    crontab: "",
    taskList: taskList as NonNullable<Parameters<typeof run>[0]["taskList"]>,
    logger,
  });
  // Registered at creation, before a worker can lock any job.
  runner.events.on("worker:create", ({ worker }) => void addGraphileWorkerId(processId, worker.workerId));

  const timer = setInterval(() => {
    void beat(processId)
      .then(() => releaseStaleLocks(utils))
      .catch((error: unknown) => console.error(`heartbeat failed: ${(error as Error).message}`));
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();

  await utils.addJob("reconcile_compute", {}, { jobKey: "reconcile_compute", maxAttempts: 3 });

  return {
    processId,
    runner,
    async stop() {
      clearInterval(timer);
      await runner.stop();
      await unregisterWorkerProcess(processId);
      await utils.release();
    },
  };
}
