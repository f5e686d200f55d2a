// A provider answers an error with a megabyte of text (a proxy's HTML page, a dump of the request): the driver
// quotes it, and the step's row, the operation's error and every event-log line that carries it would store it
// whole, once per attempt, and send it to every open status page. Each is stored cut to 8 KB with a marker.
// Real runner, real OVH driver through the `ovh` client, the loopback OVH API refusing the VM.
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";
import { OVH_REGION as region, startOvhForBoots } from "../helpers/ovh-boot";

await isolatedDatabase();

const fake = await startOvhForBoots();

const { db, closeDb } = await import("@/db");
const { deployments, instanceEvents, instanceOperations, operationSteps } = await import("@/db/schema");
const { runOperation } = await import("@/jobs/runner/runner");
const { bootServer } = await import("@/jobs/steps/deployment");
const { closeInfrastructure } = await import("@/server/infra");
const { registeredInstance } = await import("../helpers/instances");
const { storedDeployment } = await import("../helpers/sample-deployment");

afterAll(async () => {
  await fake.stop();
  await closeInfrastructure();
  await closeDb();
});

const noop = async () => {};
const provision = { kind: "provision" as const, steps: [bootServer], onStart: noop, onSuccess: noop, onFailure: noop };
const MAX_BYTES = 8 * 1024;
const bytes = (text: string | null | undefined) => Buffer.byteLength(text ?? "");

describe("a megabyte of error text from a driver", () => {
  it("is stored cut to 8 KB, with a marker, in the step, the operation and the event log", async () => {
    fake.refuseCreatesWith(`Quota exceeded for instances in ${region}. ${"<div>upstream said no</div>".repeat(40_000)}`);
    const { instance } = await registeredInstance();
    const [operation] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "provision", status: "queued" }).returning();
    await db.insert(deployments).values({ ...storedDeployment(instance), instanceId: instance.id, operationId: operation!.id, computeDriver: "ovh" });

    await expect(runOperation(provision, operation!.id, { number: 1, maxAttempts: 1 })).rejects.toThrow(/step boot_server failed/);

    const ended = (await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation!.id) }))!;
    const [step] = await db.select().from(operationSteps).where(eq(operationSteps.operationId, operation!.id));
    const events = await db.select().from(instanceEvents).where(eq(instanceEvents.operationId, operation!.id));
    const stored = [ended.error, step!.error, ...events.map((event) => event.message)];
    for (const text of stored) expect(bytes(text)).toBeLessThanOrEqual(MAX_BYTES);

    expect(ended.status).toBe("failed");
    // The cause, at the start, survives; the marker says the rest was cut.
    for (const text of [ended.error, step!.error]) {
      expect(text).toContain(`400 from the OVH API: Quota exceeded for instances in ${region}.`);
      expect(text).toMatch(/… \[error text cut: \d+ bytes, the first 8192 kept\]$/);
    }
    expect(events.find((event) => event.kind === "step_failed")?.message).toMatch(/\[error text cut: \d+ bytes, the first 8192 kept\]$/);
    fake.refuseCreatesWith(null);
  });
});
