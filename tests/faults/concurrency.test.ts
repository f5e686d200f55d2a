// Defect 3 as a scenario: at WORKER_CONCURRENCY 6, six provisions paid at the same moment each hold their instance
// lease and run steps that open a transaction and query beside it (the certificates step). All six reach running,
// and the worker's heartbeat never falls behind (its age, on Postgres's clock, stays under 20 s): a pool too small
// for the concurrency would leave every step waiting on a connection only another waiting step could give back.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ownPostgres } from "./helpers/own-postgres";

await ownPostgres();
process.env.WORKER_CONCURRENCY = "6";

const { db } = await import("@/db");
const { pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile({ concurrency: 6 });

describe("six provisions at once on a worker of concurrency 6", () => {
  it("all reach running, and the worker's heartbeat stays under 20 s old throughout", async () => {
    const registered = [];
    for (let i = 1; i <= 6; i++) registered.push((await registeredInstance(undefined, `Concurrent Academy ${i}`)).instance);

    let oldestBeatSeconds = 0;
    let isSampling = true;
    const sampling = (async () => {
      while (isSampling) {
        const [row] = await db.execute<{ age: number | null }>(
          sql`select extract(epoch from max(now() - last_heartbeat_at))::float8 as age from worker_processes`,
        );
        oldestBeatSeconds = Math.max(oldestBeatSeconds, Number(row?.age ?? 0));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();

    try {
      await Promise.all(registered.map((instance) => pay(instance.id)));
      const ended = await Promise.all(registered.map((instance) => waitForStatus(instance.id, "running", 150_000)));
      expect(ended.map((instance) => instance.status)).toEqual(Array(6).fill("running"));
    } finally {
      isSampling = false;
      await sampling;
    }
    expect(oldestBeatSeconds).toBeLessThan(20);
  });
});
