// On compute that cannot change a running server (an OVH VM reads its user-data once), a plan change and an owner's
// settings reach the instance by a redeploy: a new deployment rendered from the current plan (its VM flavor) and
// settings boots beside the serving one and takes over. Here the local driver, with canReconfigureInPlace false,
// stands in for OVH; a real worker runs the jobs and pipelines.
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db } = await import("@/db");
const { deployments, instanceEvents, instanceOperations } = await import("@/db/schema");
const { changeLocalPlan, localSubscriptionId } = await import("@/server/billing/local/simulator");
const { planById } = await import("@/server/billing/plans");
const { REDEPLOY_INSTEAD } = await import("@/server/instances/apply-changes");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { atStripe, checkoutAtStripe, deliver } = await import("./helpers/billing");
const { instanceRow, runningInstance, waitForStatus } = await import("./helpers/instances");
const { GOOD_BRANDING, makeVerifiedUser, registerInstance } = await import("./helpers/registration");
const { eventually } = await import("./helpers/waiting");

const { makeComputeBootOnly } = await import("./helpers/boot-only-compute");
const { runWorkerForThisFile } = await import("./helpers/file-worker");

runWorkerForThisFile({ beforeStart: makeComputeBootOnly });

async function deploymentsOf(instanceId: string) {
  return db.select().from(deployments).where(eq(deployments.instanceId, instanceId)).orderBy(deployments.createdAt);
}

async function operationsOf(instanceId: string) {
  const rows = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)).orderBy(instanceOperations.createdAt);
  return rows.map((row) => `${row.kind}:${row.status}`);
}

async function operationSucceeds(instanceId: string, kind: string, count = 1) {
  return eventually(async () => {
    const ops = await operationsOf(instanceId);
    if (ops.some((op) => op.startsWith(`${kind}:`) && ["failed", "cancelled"].includes(op.split(":")[1]!))) {
      throw new Error(`the ${kind} did not succeed: ${ops.join(", ")}`);
    }
    return ops.filter((op) => op === `${kind}:succeeded`).length >= count ? ops : undefined;
  }, 60_000, `${count} ${kind} operation(s) to succeed`);
}

async function changePlan(instanceId: string, plan: "growth" | "scale") {
  await deliver(await atStripe((tx) => changeLocalPlan(tx, localSubscriptionId(instanceId), planById(plan))));
}

async function messagesOf(instanceId: string) {
  return (await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, instanceId))).map((event) => event.message);
}

const planConfig = (id: "starter" | "growth" | "scale") => ({ plan: id, vmFlavor: planById(id).vmFlavor, limits: planById(id).limits });

describe("applying changes on compute that cannot change a running server", () => {
  it("boots the first deployment with its plan's VM flavor and limits", async () => {
    const { instance } = await runningInstance("Starter Academy");
    const [first] = await deploymentsOf(instance.id);
    expect(first).toMatchObject({ status: "running", config: expect.objectContaining(planConfig("starter")) });
  });

  it("redeploys on a plan change: the new deployment boots with the new plan's flavor and takes over", async () => {
    const { instance } = await runningInstance("Growing Academy");
    const [first] = await deploymentsOf(instance.id);
    await changePlan(instance.id, "growth");

    expect(await operationSucceeds(instance.id, "redeploy")).toEqual(["provision:succeeded", "redeploy:succeeded"]);
    const after = await instanceRow(instance.id);
    expect(after).toMatchObject({ status: "running", plan: "growth" });
    const [old, fresh] = await deploymentsOf(instance.id);
    expect(old).toMatchObject({ id: first!.id, status: "running", config: expect.objectContaining(planConfig("starter")) });
    expect(fresh).toMatchObject({ id: after.activeDeploymentId, status: "running", config: expect.objectContaining(planConfig("growth")) });
    expect((await fetch(`http://${fresh!.address}/heartbeat`)).status).toBe(200);

    const redeploy = (await db.query.instanceOperations.findFirst({
      where: and(eq(instanceOperations.instanceId, instance.id), eq(instanceOperations.kind, "redeploy")),
    }))!;
    expect(redeploy.reason).toBe("Billing: apply the Growth plan.");
    const logged = await db
      .select()
      .from(instanceEvents)
      .where(and(eq(instanceEvents.operationId, redeploy.id), eq(instanceEvents.kind, "log")));
    expect(logged.map((event) => event.message)).toContainEqual(
      expect.stringContaining(`Redeploying rather than reconfiguring: ${REDEPLOY_INSTEAD} (the local driver cannot change a running server).`),
    );
  });

  it("redeploys when the owner applies new settings, and the new deployment serves them", async () => {
    // Registered through the wizard, so its draft has every setting (email included) that Apply checks.
    const owner = await makeVerifiedUser();
    const registered = await registerInstance(owner, { name: "Repainted Academy", subdomain: `paint-${uniqueSuffix()}` });
    await deliver(await checkoutAtStripe(registered, owner));
    const instance = await waitForStatus(registered.id, "running");
    const api = apiAs(owner);
    await api.registration.saveBranding({ id: instance.id, values: { ...GOOD_BRANDING, headerBackground: "#7c2d12" } });
    const { operationId } = await api.settings.applyChanges({ id: instance.id });
    expect(await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operationId) })).toMatchObject({
      kind: "redeploy",
      requestedBy: owner.id,
    });
    await operationSucceeds(instance.id, "redeploy");
    const [, fresh] = await deploymentsOf(instance.id);
    expect((await instanceRow(instance.id)).activeDeploymentId).toBe(fresh!.id);
    expect(await fetch(`http://${fresh!.address}/`).then((response) => response.text())).toContain("background: #7c2d12");
    expect((await api.settings.comparison({ id: instance.id })).differences).toEqual([]);
    expect(await messagesOf(instance.id)).toEqual(expect.arrayContaining([expect.stringContaining(REDEPLOY_INSTEAD)]));
  });

  it("does not boot a server for a suspended instance: the new plan is applied when it resumes", async () => {
    const { instance } = await runningInstance("Paused Academy");
    const staff = await makeUser("staff");
    await apiAs(staff).staff.suspend({ instanceId: instance.id, reason: "testing a plan change while suspended" });
    await waitForStatus(instance.id, "suspended");
    await changePlan(instance.id, "scale");
    await eventually(
      async () => ((await messagesOf(instance.id)).some((message) => message.startsWith("The Scale plan's server size (b3-32) applies when the instance is resumed")) ? true : undefined),
      60_000,
      "the plan change to be put off until the instance resumes",
    );
    expect((await operationsOf(instance.id)).some((op) => op.startsWith("redeploy:") || op.startsWith("reconfigure:"))).toBe(false);

    await apiAs(staff).staff.resume({ instanceId: instance.id, reason: "all clear" });
    expect(await operationSucceeds(instance.id, "redeploy")).toEqual(["provision:succeeded", "suspend:succeeded", "resume:succeeded", "redeploy:succeeded"]);
    const [, fresh] = await deploymentsOf(instance.id);
    expect(fresh).toMatchObject({ id: (await instanceRow(instance.id)).activeDeploymentId, config: expect.objectContaining(planConfig("scale")) });
  });
});
