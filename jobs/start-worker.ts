// Starts a graphile-worker runner with our tasks, heartbeat and crash recovery, structured logs and its
// Prometheus endpoint; used by `npm run worker`, `npm run dev`, the tests and the benchmarks.
import { crontab } from "./crontab";
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { eq } from "drizzle-orm";
import { Logger, makeWorkerUtils, run, type Runner, type Task, type TaskList, type WorkerEvents } from "graphile-worker";
import { db } from "@/db";
import { workerProcesses } from "@/db/schema";
import { ConfigurationError, env, poolSizeNeeded } from "@/server/env";
import { currentLogContext, withLogContext } from "@/server/observability/log-context";
import { logger } from "@/server/observability/logger";
import { enqueueJob } from "@/server/queue/enqueue";
import { HEARTBEAT_INTERVAL_MS } from "@/server/queue/worker-heartbeat";
import { metrics } from "@/server/observability/metrics";
import { addGraphileWorkerId, beat, holdLivenessLock, registerWorkerProcess, releaseStaleLocks, unregisterWorkerProcess } from "./crash-recovery";
import { startMetricsServer, type MetricsServer } from "./metrics-server";
import { taskList } from "./tasks";

type WorkerHandle = { processId: string; runner: Runner; metricsAddress: string | null; stop(): Promise<void> };

type WorkerOptions = {
  concurrency?: number;
  /** Drops graphile-worker's own info lines (tests); errors and our lines still go to the log. */
  quiet?: boolean;
  /** Tasks beside ours (tests add ones that fail on purpose). */
  extraTasks?: TaskList;
};

export async function startWorker(options: WorkerOptions = {}): Promise<WorkerHandle> {
  const config = env();
  const concurrency = options.concurrency ?? config.WORKER_CONCURRENCY;
  if (config.databasePoolSize < poolSizeNeeded(concurrency)) {
    throw new ConfigurationError(`a worker running ${concurrency} jobs at once needs DATABASE_POOL_SIZE ≥ ${poolSizeNeeded(concurrency)} (it is ${config.databasePoolSize})`);
  }
  const processId = `proc-${randomUUID()}`;
  const log = logger().child({ service: "worker", workerProcess: processId });
  const liveness = await holdLivenessLock(processId, config.DATABASE_URL);
  const identity = await registerWorkerProcess(processId);
  const utils = await makeWorkerUtils({ connectionString: config.DATABASE_URL });
  await releaseStaleLocks(utils);

  // Listening before run(): graphile-worker creates its workers (and emits worker:create) before run() returns,
  // so a listener added afterwards never hears of them and their locks would be nobody's.
  const events: WorkerEvents = new EventEmitter();
  // Jobs are locked in the pool's name or a worker's, depending on graphile-worker's mode: record both.
  events.on("pool:create", ({ workerPool }) => void addGraphileWorkerId(identity, workerPool.id));
  events.on("worker:create", ({ worker }) => void addGraphileWorkerId(identity, worker.workerId));
  const runner = await run({
    events,
    connectionString: config.DATABASE_URL,
    concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    crontab,
    taskList: withJobLogContext({ ...taskList, ...options.extraTasks }),
    logger: graphileLogger(log, Boolean(options.quiet)),
  });
  countJobs(runner);

  let metricsServer: MetricsServer | null = null;
  if (config.LYCEUM_METRICS_TOKEN) {
    metricsServer = await startMetricsServer({
      host: config.LYCEUM_WORKER_METRICS_HOST,
      port: config.LYCEUM_WORKER_METRICS_PORT,
      token: config.LYCEUM_METRICS_TOKEN,
    });
    identity.metricsAddress = metricsServer.address;
    await db.update(workerProcesses).set({ metricsAddress: metricsServer.address }).where(eq(workerProcesses.id, processId));
  }

  const timer = setInterval(() => {
    void beat(identity)
      // Only once a beat went through: asked while Postgres is down, the liveness session would only pile up retries.
      .then(() => liveness.renew().catch((error: unknown) => log.error({ err: error }, "liveness lock not renewed")))
      .then(() => releaseStaleLocks(utils))
      .then((unlocked) => {
        if (unlocked.length > 0) log.warn({ unlocked }, "released the job locks of workers that stopped beating");
      })
      .catch((error: unknown) => log.error({ err: error }, "heartbeat failed"));
  }, HEARTBEAT_INTERVAL_MS);
  timer.unref();

  await enqueueJob(db, "reconcile_compute", {}, { jobKey: "reconcile_compute", maxAttempts: 3 });
  log.info({ metricsAddress: metricsServer?.address ?? null, concurrency }, "worker started");

  return {
    processId,
    runner,
    metricsAddress: metricsServer?.address ?? null,
    async stop() {
      clearInterval(timer);
      await runner.stop();
      // graphile-worker can end its pool before it records a job interrupted by the shutdown, leaving it locked by
      // this process for crash recovery to notice 45 s later; these workers are stopped, so hand their jobs over now.
      await utils.forceUnlockWorkers(identity.graphileWorkerIds);
      await metricsServer?.close();
      await unregisterWorkerProcess(processId);
      await liveness.close();
      await utils.release();
      log.info("worker stopped");
    },
  };
}

/** Every line logged while a job runs carries its id and task (and, from the runner, its instance). */
function withJobLogContext(tasks: TaskList): TaskList {
  return Object.fromEntries(
    Object.entries(tasks).flatMap(([name, task]): [string, Task][] =>
      task ? [[name, (payload, helpers) => withLogContext({ jobId: helpers.job.id, task: name }, () => task(payload, helpers))]] : [],
    ),
  );
}

/** graphile-worker's own messages, as our JSON lines. Its metadata is left out: it holds job payloads. */
function graphileLogger(log: ReturnType<typeof logger>, isQuiet: boolean) {
  return new Logger((scope) => {
    const scoped = scope.workerId ? log.child({ graphileWorker: scope.workerId }) : log;
    return (level, message, meta) => {
      // The job's id and task, from the scope or the metadata (only those: the rest holds the payload),
      // unless the job's own log context already says them.
      const job = (meta as { job?: { id?: unknown; task_identifier?: unknown } } | undefined)?.job;
      const context = currentLogContext();
      const jobId = scope.jobId ?? job?.id;
      const task = scope.taskIdentifier ?? job?.task_identifier;
      const fields = {
        ...(jobId !== undefined && !context.jobId ? { jobId: String(jobId) } : {}),
        ...(task !== undefined && !context.task ? { task: String(task) } : {}),
      };
      if (level === "error") scoped.error(fields, message);
      else if (level === "warning") scoped.warn(fields, message);
      else if (level === "info" && !isQuiet) scoped.info(fields, message);
      else scoped.debug(fields, message);
    };
  });
}

function countJobs(runner: Runner) {
  const m = metrics();
  const startedAt = new Map<string, bigint>();
  runner.events.on("job:start", ({ job }) => startedAt.set(job.id, process.hrtime.bigint()));
  runner.events.on("job:success", ({ job }) => m.jobsProcessed.inc({ task: job.task_identifier }));
  runner.events.on("job:error", ({ job }) =>
    m.jobsFailed.inc({ task: job.task_identifier, permanent: String(job.attempts >= job.max_attempts) }),
  );
  runner.events.on("job:complete", ({ job, error }) => {
    const start = startedAt.get(job.id);
    startedAt.delete(job.id);
    if (start === undefined) return;
    m.jobDuration.observe(
      { task: job.task_identifier, outcome: error ? "failed" : "succeeded" },
      Number(process.hrtime.bigint() - start) / 1e9,
    );
  });
}
