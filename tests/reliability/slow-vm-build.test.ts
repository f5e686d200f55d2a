// OVH takes its time building a VM. That wait is polling, not failure: boot_server must not time out after two
// minutes and spend a retry (booting a second VM beside the first) while OVH is still building the first. It
// waits up to OVH_BUILD_TIMEOUT_SECONDS on the same attempt and says in the event log how long it has waited.
// Real runner, real OVH driver through the `ovh` client, the loopback OVH API keeping the VM in BUILD; the
// progress interval is scaled down (OVH_BUILD_PROGRESS_SECONDS=1) so the test takes seconds.
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";
import { OVH_REGION as region, startOvhForBoots } from "../helpers/ovh-boot";

await isolatedDatabase();

const BUILD_MS = 3_500;
const fake = await startOvhForBoots({ buildMs: BUILD_MS });
process.env.OVH_BUILD_PROGRESS_SECONDS = "1";
delete process.env.OVH_BUILD_TIMEOUT_SECONDS;

const { db, closeDb } = await import("@/db");
const { deployments, instanceEvents, instanceOperations, operationSteps } = await import("@/db/schema");
const { runOperation } = await import("@/jobs/runner/runner");
const { stepTimeoutMs } = await import("@/jobs/runner/timeout");
const { bootServer } = await import("@/jobs/steps/deployment");
const { env } = await import("@/server/env");
const { closeInfrastructure } = await import("@/server/infra");
const { createOvhApi } = await import("@/server/infra/compute/ovh/api-client");
const { createOvhComputeDriver } = await import("@/server/infra/compute/ovh/public-cloud");
const { registeredInstance } = await import("../helpers/instances");
const { storedDeployment } = await import("../helpers/sample-deployment");

afterAll(async () => {
  await fake.stop();
  await closeInfrastructure();
  await closeDb();
});

const noop = async () => {};
const provision = { kind: "provision" as const, steps: [bootServer], onStart: noop, onSuccess: noop, onFailure: noop };

describe("a slow OVH build", () => {
  it("gives boot_server at least OVH's own build limit, not two minutes", () => {
    expect(env().OVH_BUILD_TIMEOUT_SECONDS).toBe(1800);
    expect(stepTimeoutMs(bootServer, env())).toBeGreaterThanOrEqual(1800 * 1000);
  });

  it("is waited on within one attempt that succeeds, the event log saying how long it has waited", async () => {
    const { instance } = await registeredInstance();
    const [operation] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "provision", status: "queued" }).returning();
    await db.insert(deployments).values({ ...storedDeployment(instance), instanceId: instance.id, operationId: operation!.id, computeDriver: "ovh" });

    await runOperation(provision, operation!.id, { number: 1, maxAttempts: 3 });

    expect(await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operation!.id) })).toMatchObject({ status: "succeeded" });
    const [step] = await db.select().from(operationSteps).where(eq(operationSteps.operationId, operation!.id));
    expect(step).toMatchObject({ step: "boot_server", status: "succeeded", attempts: 1 });
    expect([...fake.instances.values()].map((vm) => vm.status)).toEqual(["ACTIVE"]);
    const logged = await db
      .select({ message: instanceEvents.message })
      .from(instanceEvents)
      .where(and(eq(instanceEvents.operationId, operation!.id), eq(instanceEvents.step, "boot_server"), eq(instanceEvents.kind, "log")));
    const waiting = logged.map(({ message }) => message).filter((message) => message.includes("still building"));
    // About one line a second over a 3.5 s build.
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    for (const message of waiting) expect(message).toMatch(/^Server for deployment [0-9a-f]{8} is still building after \d+ s\.$/);
  });

  it("fails the attempt with a clear error only beyond the provider's limit", async () => {
    const settings = fake.environment();
    const api = createOvhApi({
      endpoint: settings.OVH_ENDPOINT,
      applicationKey: settings.OVH_APPLICATION_KEY,
      applicationSecret: settings.OVH_APPLICATION_SECRET,
      consumerKey: settings.OVH_CONSUMER_KEY,
    });
    const compute = createOvhComputeDriver(api, {
      projectId: settings.OVH_PROJECT_ID,
      region,
      flavorId: settings.OVH_FLAVOR_ID,
      imageId: settings.OVH_IMAGE_ID,
      sshKeyId: settings.OVH_SSH_KEY_ID,
      resourcePrefix: "lyt",
      renderUserData: () => "#cloud-config\n",
      pollIntervalMs: 100,
      buildTimeoutMs: 1_000,
    });
    const deploymentId = crypto.randomUUID();
    await expect(compute.ensureServer({ deploymentId, instanceId: crypto.randomUUID(), siteConfig: {} }, new AbortController().signal)).rejects.toThrow(
      new RegExp(`VM lyt-${deploymentId} \\(.+\\) is still BUILD after \\d+ s, beyond OVH_BUILD_TIMEOUT_SECONDS \\(1 s\\)`),
    );
  });
});
