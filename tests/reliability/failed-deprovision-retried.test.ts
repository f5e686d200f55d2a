// A deprovision that fails (a backend down through its retries) used to wait for a person to press Retry, its
// resources still running and billed meanwhile. The sweep retries it once it has rested, a few times at most.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { instanceEvents } = await import("@/db/schema");
const { DEPROVISION_AUTOMATIC_RETRIES, retryFailedDeprovisions } = await import("@/jobs/failed-deprovisions");
const { CRONTAB_LINES } = await import("@/jobs/crontab");
const { apiAs, makeUser } = await import("../helpers/accounts");
const { injectFault, runningInstance, waitForStatus } = await import("../helpers/instances");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile();

describe("a failed deprovision", () => {
  it("is retried by the sweep once it has rested, finishes, and is never retried more than a few times", async () => {
    expect(CRONTAB_LINES).toContainEqual(expect.stringMatching(/^\*\/15 \* \* \* \* retry_failed_deprovisions /));
    const { instance } = await runningInstance("Retried Teardown Academy");
    await injectFault({ instanceId: instance.id, step: "remove_rabbitmq", phase: "before", action: "fail", message: "RabbitMQ is down", isRetryable: false });
    const staff = await makeUser("staff");
    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain!, reason: "fault test" });
    await waitForStatus(instance.id, "failed", 90_000);

    // Not yet rested: left alone.
    expect(await retryFailedDeprovisions(3600)).toEqual([]);
    expect(await retryFailedDeprovisions(0)).toEqual([instance.id]);
    await waitForStatus(instance.id, "deprovisioned", 90_000);
    const events = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instance.id));
    expect(events.some((event) => event.message.startsWith("Retried automatically: the deprovision resumes at step remove_rabbitmq"))).toBe(true);

    // A deprovision that keeps failing is retried a few times, then left to staff.
    const { instance: stubborn } = await runningInstance("Stubborn Teardown Academy");
    await injectFault({
      instanceId: stubborn.id,
      step: "remove_rabbitmq",
      phase: "before",
      action: "fail",
      message: "RabbitMQ is down",
      isRetryable: false,
      remainingHits: DEPROVISION_AUTOMATIC_RETRIES + 5,
    });
    await apiAs(staff).staff.deprovision({ instanceId: stubborn.id, confirm: stubborn.subdomain!, reason: "fault test" });
    for (let retry = 0; retry < DEPROVISION_AUTOMATIC_RETRIES; retry++) {
      await waitForStatus(stubborn.id, "failed", 90_000);
      expect(await retryFailedDeprovisions(0)).toEqual([stubborn.id]);
    }
    await waitForStatus(stubborn.id, "failed", 90_000);
    expect(await retryFailedDeprovisions(0)).toEqual([]);
  });
});
