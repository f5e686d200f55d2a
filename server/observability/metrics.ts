// The Prometheus metrics of the web and worker processes (prom-client). One registry per process, kept on
// globalThis: Next.js compiles instrumentation and route handlers separately, and both must see the same
// metric objects. README.md ("Metrics") lists every metric; keep the two in step.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: "lyceum_http_request_duration_seconds",
      help: "Time from request to the end of the response, by route (ids replaced by placeholders).",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: "lyceum_jobs_processed_total",
      help: "graphile-worker jobs that ran to completion, by task.",
      labelNames: ["task"] as const,
      registers: [registry],
    }),
    jobsFailed: new Counter({
      name: "lyceum_jobs_failed_total",
      help: "graphile-worker job attempts that threw, by task (permanent=true once no attempt is left).",
      labelNames: ["task", "permanent"] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "lyceum_job_duration_seconds",
      help: "How long one graphile-worker job attempt ran, by task and outcome.",
      labelNames: ["task", "outcome"] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: "lyceum_pipeline_step_duration_seconds",
      help: "How long one run of a pipeline step took, by pipeline (operation kind), step and outcome.",
      labelNames: ["pipeline", "step", "outcome"] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 15, 30, 60, 120, 300],
      registers: [registry],
    }),
    operationsStranded: new Counter({
      name: "lyceum_operations_stranded_total",
      help: "Operations failed by the stranded sweep: their job will never run again (a worker died on the last attempt, or the job is gone).",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    operationsFinished: new Counter({
      name: "lyceum_operations_finished_total",
      help: "Operations (provision, deprovision, …) that ended, by kind and outcome (succeeded, failed, cancelled).",
      labelNames: ["kind", "outcome"] as const,
      registers: [registry],
    }),
    autoscaleDecisions: new Counter({
      name: "lyceum_autoscale_decisions_total",
      help: "Autoscaling decisions carried out (a scale_out or scale_in operation started), by direction (out, in).",
      labelNames: ["direction"] as const,
      registers: [registry],
    }),
    autoscaleDeferred: new Counter({
      name: "lyceum_autoscale_deferred_total",
      help: "Autoscaling decisions not carried out in a sample because another operation ran on the instance (retried next sample).",
      registers: [registry],
    }),
  };
}

type Metrics = ReturnType<typeof createMetrics>;

const globalForMetrics = globalThis as unknown as { __lyceumMetrics?: Metrics; __lyceumGauges?: Set<string> };

export function metrics(): Metrics {
  globalForMetrics.__lyceumMetrics ??= createMetrics();
  return globalForMetrics.__lyceumMetrics;
}

/**
 * Registers a gauge whose value is read when Prometheus scrapes (e.g. from the database), once per process.
 * Only the web process registers the fleet gauges, so a fleet counted by several workers is not summed twice.
 */
export function registerCollectedGauge<L extends string>(options: {
  name: string;
  help: string;
  labelNames?: readonly L[];
  collect: (gauge: Gauge<L>) => Promise<void> | void;
}): void {
  const registered = (globalForMetrics.__lyceumGauges ??= new Set());
  if (registered.has(options.name)) return;
  registered.add(options.name);
  new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [metrics().registry],
    async collect() {
      await options.collect(this);
    },
  });
}
