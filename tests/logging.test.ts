// Structured logs: every line is JSON with the job, instance and request it concerns, and a password that a
// failing step handles (and quotes in its error) appears in no log line — nor in the owner's event log.
import { Writable } from "node:stream";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();
process.env.LYCEUM_LOG_LEVEL = "debug";

const { db, closeDb } = await import("@/db");
const { instanceEvents, instanceOperations } = await import("@/db/schema");
const { createCaller } = await import("@/server/api/root");
const { startWorker } = await import("@/jobs/start-worker");
const { operationTask } = await import("@/jobs/tasks/operation-task");
const { provisionPipeline } = await import("@/jobs/pipelines/provision");
const { transitionInstance } = await import("@/server/instances/lifecycle");
const { createInstance } = await import("./helpers/registration");
const { setLogDestination } = await import("@/server/observability/logger");
const { makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { eventually } = await import("./helpers/waiting");

type Line = Record<string, unknown> & { msg: string; level: string };
const lines: string[] = [];
const parsed = () => lines.map((line) => JSON.parse(line) as Line);

// A password that exists only in this test; nothing but the step knows it.
const PASSWORD = `pw-${crypto.randomUUID()}`;

const leakyPipeline = {
  ...provisionPipeline,
  steps: [
    {
      name: "ensure_mysql_user",
      title: "Create the MySQL user",
      async run(ctx: Parameters<(typeof provisionPipeline.steps)[number]["run"]>[0]) {
        const entry = await ctx.ledger.record("mysql.user", "edxapp_leaky", { role: "edxapp", databases: ["edxapp"], access: "all", server: "127.0.0.1:3306" }, { password: PASSWORD });
        const { password } = ctx.ledger.secretsOf(entry)!;
        await ctx.log(`connecting as edxapp_leaky with password ${password}`);
        throw new Error(`Access denied for user 'edxapp_leaky' (using password: ${password}) at mysql://edxapp_leaky:${password}@127.0.0.1:3306/edxapp`);
      },
    },
  ],
};

let worker: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  setLogDestination(
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    }),
  );
  worker = await startWorker({ concurrency: 1, extraTasks: { leaky_provision: operationTask(leakyPipeline) } });
});

afterAll(async () => {
  await worker?.stop();
  setLogDestination(null);
  await closeDb();
});

describe("structured logs", () => {
  it("never contain a password that a failing step handled and quoted", async () => {
    const owner = await makeUser();
    const instance = await createInstance(owner.id, { name: "Leaky", subdomain: `leak-${uniqueSuffix()}`, plan: "starter" });
    await transitionInstance(db, instance.id, "queued", { message: "paid" });
    const [operation] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "provision" }).returning();
    const [job] = await db.execute<{ id: string }>(
      sql`select id::text from graphile_worker.add_job('leaky_provision', json_build_object('operationId', ${operation!.id}::text), max_attempts => 1)`,
    );
    await eventually(async () => {
      const row = await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation!.id) });
      return row?.status === "failed" ? row : undefined;
    }, 30_000, "the operation to fail");
    // graphile-worker logs the failure after the job returns.
    await eventually(async () => (lines.some((line) => line.includes("Failed task")) ? true : undefined), 10_000, "graphile-worker's failure line");

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(PASSWORD);
    const logs = parsed();
    // Not vacuous: the failure was logged, redacted, by our runner and by graphile-worker.
    const stepFailure = logs.find((line) => line.step === "ensure_mysql_user" && line.level === "warn");
    expect(stepFailure).toMatchObject({ jobId: job!.id, task: "leaky_provision", instanceId: instance.id, operationId: operation!.id });
    expect(stepFailure!.msg).toContain("using password: [redacted]");
    expect(stepFailure!.msg).toContain("mysql://edxapp_leaky:[redacted]@127.0.0.1");
    expect(logs.find((line) => line.msg.startsWith("Failed task"))).toMatchObject({ level: "error", jobId: job!.id, task: "leaky_provision" });

    // The event log is shown to the owner: scrubbed the same way.
    const events = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id));
    expect(events.length).toBeGreaterThan(3);
    for (const event of events) expect(event.message).not.toContain(PASSWORD);
    // …and so are the emails about the failure (owner and staff).
    const queued = await db.execute<{ payload: unknown }>(sql`select payload from graphile_worker._private_jobs`);
    expect(JSON.stringify(queued)).not.toContain(PASSWORD);
  });

  it("name the request, the procedure, the user and the instance of a tRPC call", async () => {
    const staff = await makeUser("staff");
    const api = createCaller({ db, user: staff, headers: new Headers({ "x-request-id": "req-logging-test-1" }) });
    const operationId = crypto.randomUUID();
    await expect(api.staff.cancelOperation({ operationId, reason: "checking the logs" })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(parsed().find((line) => line.msg === "staff action refused")).toMatchObject({
      requestId: "req-logging-test-1",
      procedure: "staff.cancelOperation",
      userId: staff.id,
      action: "cancel_operation",
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });
});
