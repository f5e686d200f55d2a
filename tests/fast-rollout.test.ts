// Staff's fast rollout: a redeploy switches once N-1 of its N new servers answer, instead of waiting for every one.
// The local compute driver is wrapped so that the new deployment's second server boots but never answers (its address
// is a closed port, like a VM whose Open edX never came up): the fast rollout switches on the first, leaves the second
// failing for the replacement sweep, and the instance never had fewer than N-1 healthy servers.
import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();
// Without the fast rollout the redeploy would wait this long for the dead server, then fail.
process.env.HEARTBEAT_TIMEOUT_SECONDS = "30";

const { db } = await import("@/db");
const { deploymentServers, instanceOperations, operationSteps } = await import("@/db/schema");
const { infra, setInfrastructure } = await import("@/server/infra");
const { freePort } = await import("@/server/net/free-port");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { instanceRow, pay, waitForStatus } = await import("./helpers/instances");
const { createInstance, makeVerifiedUser } = await import("./helpers/registration");
const { eventually } = await import("./helpers/waiting");
const { runWorkerForThisFile } = await import("./helpers/file-worker");

/** The deployment whose second server is booted at a dead address; null: none. */
let deadSecondServerAfter: string | null = null;
const deadAddress = `127.0.0.1:${await freePort()}`;

runWorkerForThisFile({
  beforeStart() {
    const real = infra();
    const wrapped = Object.assign(Object.create(real.compute) as typeof real.compute, {
      ensureServer: async (...args: Parameters<typeof real.compute.ensureServer>) => {
        const booted = await real.compute.ensureServer(...args);
        const [spec] = args;
        const isDead = deadSecondServerAfter !== null && spec.deploymentId !== deadSecondServerAfter && spec.serverIndex === 1;
        return isDead ? { ...booted, address: deadAddress } : booted;
      },
    });
    setInfrastructure({ ...real, compute: wrapped });
  },
});

describe("the fast rollout", () => {
  it("switches to the new deployment once all but one of its servers answer, leaving the last one to the replacement sweep", async () => {
    const owner = await makeVerifiedUser();
    const staff = await makeUser("staff");
    const instance = await createInstance(owner.id, { name: "Fast Rollout College", subdomain: `fast-${uniqueSuffix()}`, plan: "growth" });
    await pay(instance.id);
    const before = (await waitForStatus(instance.id, "running", 90_000)).activeDeploymentId!;
    deadSecondServerAfter = before;

    const startedAt = Date.now();
    await apiAs(staff).staff.redeploy({ instanceId: instance.id, reason: "fast rollout test", rollout: "fast" });
    const operation = await eventually(async () => {
      const row = await db.query.instanceOperations.findFirst({
        where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")),
      });
      return row && ["succeeded", "failed"].includes(row.status) ? row : undefined;
    }, 60_000, "the redeploy to finish");
    expect(operation).toMatchObject({ status: "succeeded", rollout: "fast" });
    // Well inside the heartbeat timeout: nothing waited for the dead server.
    expect(Date.now() - startedAt).toBeLessThan(25_000);

    const after = (await instanceRow(instance.id)).activeDeploymentId!;
    expect(after).not.toBe(before);
    const newServers = await db.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, after)).orderBy(asc(deploymentServers.serverIndex));
    expect(newServers.map((server) => [server.state, server.address === deadAddress])).toEqual([
      ["healthy", false],
      ["failing", true],
    ]);
    const [wait] = await db
      .select()
      .from(operationSteps)
      .where(and(eq(operationSteps.operationId, operation.id), eq(operationSteps.step, "wait_heartbeat")));
    expect(wait!.result).toMatch(/^Wait for the instance to answer \/heartbeat: 1 of 2 server\(s\) answered \/heartbeat with 200 after \d+ ms; server 2 \(.+\) did not \(.+\), to be replaced unless it answers first$/);
    // The old set served until the switch, and stays up as the fallback.
    const oldServers = await db.select().from(deploymentServers).where(eq(deploymentServers.deploymentId, before));
    expect(oldServers.length).toBe(2);
    for (const server of oldServers) expect((await fetch(`http://${server.address}/heartbeat`)).status).toBe(200);
  }, 150_000);
});
