import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { instanceEvents, instanceOperations, instances, operationSteps } from "@/db/schema";
import { runOperation } from "@/jobs/runner/runner";
import type { Pipeline, PipelineStep } from "@/jobs/runner/types";
import { transitionInstance } from "@/server/instances/lifecycle";
import { uniqueSuffix } from "./helpers/accounts";
import { makeVerifiedUser, registerInstance } from "./helpers/registration";

// An instance that has been paid for, and a provision operation for it (added without a job: these tests
// play graphile-worker's part and call the runner once per attempt).
async function queuedOperation() {
  const owner = await makeVerifiedUser();
  const instance = await registerInstance(owner, { name: "Runner School", subdomain: `run-${uniqueSuffix()}` });
  await transitionInstance(db, instance.id, "queued", { message: "paid" });
  const [operation] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "provision" }).returning();
  return { instance, operation: operation! };
}

function countingStep(name: string, behaviour: (call: number) => Promise<string> | string = () => "ok"): PipelineStep & { calls: number } {
  const step = {
    name,
    title: `Step ${name}`,
    calls: 0,
    async run() {
      step.calls++;
      return behaviour(step.calls);
    },
  };
  return step;
}

function pipelineOf(steps: PipelineStep[]): Pipeline {
  return {
    kind: "provision",
    steps,
    onStart: (tx, instance, op) => transitionInstance(tx, instance.id, "provisioning", { message: "start", operationId: op.id }).then(() => {}),
    onSuccess: (tx, instance, op) => transitionInstance(tx, instance.id, "running", { message: "up", operationId: op.id }).then(() => {}),
    onFailure: (tx, instance, op, error) =>
      transitionInstance(tx, instance.id, "failed", { message: error.message, operationId: op.id }).then(() => {}),
  };
}

async function eventsOf(instanceId: string) {
  return db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instanceId)).orderBy(asc(instanceEvents.seq));
}

describe("the pipeline runner", () => {
  it("retries a failed step without re-running the steps before it", async () => {
    const { instance, operation } = await queuedOperation();
    const first = countingStep("first");
    const flaky = countingStep("flaky", (call) => {
      if (call === 1) throw new Error("the cloud said 503");
      return "worked the second time";
    });
    const last = countingStep("last");
    const pipeline = pipelineOf([first, flaky, last]);

    await expect(runOperation(pipeline, operation.id, { number: 1, maxAttempts: 3 })).rejects.toThrow(/step flaky failed: the cloud said 503/);
    expect([first.calls, flaky.calls, last.calls]).toEqual([1, 1, 0]);
    const failedEvent = (await eventsOf(instance.id)).find((event) => event.kind === "step_failed");
    expect(failedEvent).toMatchObject({ step: "flaky", level: "error" });
    expect(failedEvent?.message).toContain("the cloud said 503. Will retry (attempt 2 of 3).");
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))?.status).toBe("provisioning");

    await runOperation(pipeline, operation.id, { number: 2, maxAttempts: 3 });
    expect([first.calls, flaky.calls, last.calls]).toEqual([1, 2, 1]);
    const events = await eventsOf(instance.id);
    expect(events.find((event) => event.kind === "step_skipped")).toMatchObject({ step: "first" });
    expect((await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) }))?.status).toBe("succeeded");
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))?.status).toBe("running");
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // dense and ordered: what live subscribers resume from
  });

  it("fails the operation and the instance after the last attempt", async () => {
    const { instance, operation } = await queuedOperation();
    const broken = countingStep("broken", () => {
      throw new Error("quota exceeded");
    });
    const pipeline = pipelineOf([broken]);
    await expect(runOperation(pipeline, operation.id, { number: 1, maxAttempts: 1 })).rejects.toThrow(/quota exceeded/);
    expect(await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation.id) })).toMatchObject({
      status: "failed",
      error: "quota exceeded",
    });
    expect((await db.query.instances.findFirst({ where: eq(instances.id, instance.id) }))?.status).toBe("failed");
    const [step] = await db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, operation.id), eq(operationSteps.step, "broken")));
    expect(step).toMatchObject({ status: "failed", error: "quota exceeded", attempts: 1 });
  });

  it("fails a hung step with 'timed out after N s' instead of blocking the queue", async () => {
    const { instance, operation } = await queuedOperation();
    const hung: PipelineStep = { name: "hung", title: "Hung step", timeoutMs: 1000, run: () => new Promise(() => {}) };
    await expect(runOperation(pipelineOf([hung]), operation.id, { number: 1, maxAttempts: 5 })).rejects.toThrow(/timed out after 1 s/);
    const failed = (await eventsOf(instance.id)).find((event) => event.kind === "step_failed");
    expect(failed?.message).toContain("Hung step failed: timed out after 1 s");
  });

  it("does nothing for an operation that already finished", async () => {
    const { operation } = await queuedOperation();
    const step = countingStep("only");
    await runOperation(pipelineOf([step]), operation.id, { number: 1, maxAttempts: 1 });
    await runOperation(pipelineOf([step]), operation.id, { number: 1, maxAttempts: 1 });
    expect(step.calls).toBe(1);
  });
});
