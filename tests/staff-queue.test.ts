// Queue health with a real worker: a job that fails for good shows up with its error and attempts, staff
// re-queue it (audited) and it runs; re-queues that would do nothing are refused with the reason.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/server/net/free-port";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();
// The relay is down at first (nothing listens there), so an email job fails; a catcher comes up later.
const smtpPort = await freePort();
process.env.LYCEUM_SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;

const { db, closeDb } = await import("@/db");
const { auditLog, instanceOperations } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { enqueueJob } = await import("@/server/queue/enqueue");
const { operationJobKey } = await import("@/server/instances/operations");
const { createInstance } = await import("./helpers/registration");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { startSmtpCatcher } = await import("./helpers/smtp-catcher");
const { eventually } = await import("./helpers/waiting");

let worker: Awaited<ReturnType<typeof startWorker>>;
let catcher: Awaited<ReturnType<typeof startSmtpCatcher>> | null = null;

beforeAll(async () => {
  worker = await startWorker({ concurrency: 2, quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  await catcher?.close();
  await closeDb();
});

const inOneHour = () => new Date(Date.now() + 3_600_000);

describe("queue health", () => {
  it("shows a job that failed for good with its last error, and runs it again once re-queued", async () => {
    const staff = await makeUser("staff");
    const { id: jobId } = await enqueueJob(
      db,
      "send_email",
      { to: "requeue@example.org", subject: "Second chance", text: "hello", purpose: "test" },
      { maxAttempts: 1 },
    );
    const failed = await eventually(async () => {
      const queue = await apiAs(staff).staff.queue();
      return queue.failed.find((job) => job.id === jobId);
    }, 30_000, "the job to fail");
    expect(failed).toMatchObject({ task: "send_email", attempts: 1, maxAttempts: 1, lastError: expect.stringContaining("ECONNREFUSED") });
    const queue = await apiAs(staff).staff.queue();
    expect(queue.counts).toContainEqual({ task: "send_email", state: "failed", count: 1 });
    expect(queue.workers).toContainEqual(expect.objectContaining({ id: worker.processId, isLive: true }));

    catcher = await startSmtpCatcher({ port: smtpPort });
    const result = await apiAs(staff).staff.requeueJob({ jobId, reason: "SMTP relay is back" });
    expect(result).toMatchObject({ outcome: "accepted", summary: `Re-queued send_email job ${jobId}, which had used 1 of 1 attempts.` });
    await catcher.waitFor("requeue@example.org", /Second chance/);
    await eventually(async () => ((await apiAs(staff).staff.queue()).failed.some((job) => job.id === jobId) ? undefined : true), 20_000, "the job to leave the queue");
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.id, result.auditId));
    expect(entry).toMatchObject({ action: "requeue_job", outcome: "accepted", reason: "SMTP relay is back", instanceId: null, target: { jobId, task: "send_email" } });
  });

  it("refuses to re-queue a job that still has attempts left", async () => {
    const staff = await makeUser("staff");
    const { id: jobId } = await enqueueJob(db, "reconcile_compute", {}, { runAt: inOneHour(), maxAttempts: 3 });
    await expect(apiAs(staff).staff.requeueJob({ jobId, reason: "impatient" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/^That job has not failed for good: it runs again at .* \(attempt 1 of 3\)\.$/),
    });
    await expect(apiAs(staff).staff.requeueJob({ jobId: "999999999", reason: "typo" })).rejects.toMatchObject({
      message: "That job is no longer in the queue: it succeeded, or was removed.",
    });
  });

  it("refuses to re-queue an operation's job once the operation has ended, and files it under the instance", async () => {
    const staff = await makeUser("staff");
    const owner = await makeUser();
    const instance = await createInstance(owner.id, { name: "Ended", subdomain: `end-${uniqueSuffix()}`, plan: "starter" });
    const [operation] = await db
      .insert(instanceOperations)
      .values({ instanceId: instance.id, kind: "provision", status: "failed", error: "quota exceeded", finishedAt: new Date() })
      .returning();
    const { id: jobId } = await enqueueJob(db, "provision_instance", { operationId: operation!.id }, {
      jobKey: operationJobKey(operation!.id),
      runAt: inOneHour(),
      maxAttempts: 1,
    });
    // graphile-worker's own way of failing a job for good (what its last failed attempt does).
    await db.execute(sql`select id from graphile_worker.permanently_fail_jobs(array[${jobId}::bigint], 'quota exceeded')`);

    await expect(apiAs(staff).staff.requeueJob({ jobId, reason: "try again" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "That job's provision operation has ended (failed): running the job again would do nothing. Start a new operation on the instance instead.",
    });
    const [entry] = await db.select().from(auditLog).where(eq(auditLog.instanceId, instance.id));
    expect(entry).toMatchObject({ action: "requeue_job", outcome: "refused", target: { jobId, task: "provision_instance" } });
  });
});
