// 3. Pipeline overhead: one operation of 10 no-op steps (recorded, evented, skippable on retry) against
// 10 bare graphile-worker jobs run one after another, in the same worker, the same run.
import { randomUUID } from "node:crypto";
import { run, type Runner, type Task } from "graphile-worker";
import { db } from "@/db";
import { instanceOperations } from "@/db/schema";
import { operationTask } from "@/jobs/tasks/operation-task";
import type { Pipeline } from "@/jobs/runner/types";
import type { Scenario } from "../lib/context";
import { benchInstance, benchUser } from "../lib/fixtures";
import { medianOf } from "../lib/report";
import { sql } from "drizzle-orm";

const STEPS = 10;
const REPEATS = 5;

const noopPipeline: Pipeline = {
  kind: "provision",
  steps: Array.from({ length: STEPS }, (_, i) => ({ name: `noop_${i + 1}`, title: `No-op ${i + 1}`, run: async () => "nothing to do" })),
  onStart: async () => {},
  onSuccess: async () => {},
  onFailure: async () => {},
};

export const pipelineOverhead: Scenario = {
  name: "3. pipeline overhead",
  async run(ctx) {
    const finished = new Map<string, () => void>();
    const runPipeline = operationTask(noopPipeline);
    const taskList: Record<string, Task> = {
      bench_pipeline: async (payload, helpers) => {
        await runPipeline(payload, helpers);
        finished.get((payload as { operationId: string }).operationId)?.();
      },
      bench_chain: async (payload, helpers) => {
        const { chainId, remaining } = payload as { chainId: string; remaining: number };
        if (remaining > 0) await helpers.addJob("bench_chain", { chainId, remaining: remaining - 1 });
        else finished.get(chainId)?.();
      },
    };
    const runner: Runner = await run({
      connectionString: ctx.stack.env.DATABASE_URL!,
      concurrency: 1,
      noHandleSignals: true,
      pollInterval: 1000,
      taskList,
      crontab: "",
      logger: new (await import("graphile-worker")).Logger(() => () => {}),
    });
    const owner = await benchUser();
    const pipelineMs: number[] = [];
    const bareMs: number[] = [];
    // One untimed operation and one untimed chain first: the first of each pays for compiling code, preparing
    // statements and opening connections, which made a one-run smoke figure swing between 1.7× and 3.6×.
    const runOnce = async (timed: boolean) => {
      const instance = await benchInstance(owner.id);
      const [operation] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "provision" }).returning();
      const done = new Promise<void>((resolve) => finished.set(operation!.id, resolve));
      let started = performance.now();
      await db.execute(sql`select graphile_worker.add_job('bench_pipeline', ${JSON.stringify({ operationId: operation!.id })}::json)`);
      await done;
      const pipeline = performance.now() - started;
      const chainId = randomUUID();
      const chainDone = new Promise<void>((resolve) => finished.set(chainId, resolve));
      started = performance.now();
      await runner.addJob("bench_chain", { chainId, remaining: STEPS - 1 });
      await chainDone;
      return timed ? { pipeline, bare: performance.now() - started } : null;
    };
    try {
      await runOnce(false);
      for (let r = 0; r < ctx.runs; r++) {
        const pipelineSamples: number[] = [];
        const bareSamples: number[] = [];
        for (let i = 0; i < REPEATS; i++) {
          const sample = (await runOnce(true))!;
          pipelineSamples.push(sample.pipeline);
          bareSamples.push(sample.bare);
        }
        pipelineMs.push(medianOf(pipelineSamples));
        bareMs.push(medianOf(bareSamples));
        ctx.log(`run ${r + 1}: pipeline ${pipelineMs.at(-1)!.toFixed(1)} ms, bare jobs ${bareMs.at(-1)!.toFixed(1)} ms`);
      }
    } finally {
      await runner.stop();
    }
    const ratio = medianOf(pipelineMs) / medianOf(bareMs);
    return [
      {
        scenario: this.name,
        figure: `${STEPS} no-op steps, one operation`,
        unit: "ms",
        runs: pipelineMs,
        baseline: { label: `${STEPS} bare jobs in a chain`, runs: bareMs },
        goal: "≤ 1.3× baseline",
        pass: ratio <= 1.3,
      },
    ];
  },
};
