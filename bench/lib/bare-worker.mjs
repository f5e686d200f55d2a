// The floor the worker's idle memory is compared with: graphile-worker and nothing else, one no-op task, run by
// plain `node` (no loader). It runs one job of that task, prints "ready", and idles until SIGTERM. Its queue has a
// database of its own (bench/scenarios/worker-memory.ts says why), so it never sees the portal's jobs. argv:
// concurrency, poll interval in ms.
import { Logger, run } from "graphile-worker";

const [concurrency, pollInterval] = process.argv.slice(2).map(Number);
const runner = await run({
  connectionString: process.env.DATABASE_URL,
  schema: "bench_bare_worker",
  concurrency,
  pollInterval,
  noHandleSignals: true,
  taskList: { noop: async () => console.log("ready") },
  logger: new Logger(() => () => {}),
});
await runner.addJob("noop", {});
process.on("SIGTERM", () => void runner.stop().then(() => process.exit(0)));
