// The billing lifecycle with everything real but Stripe: the local driver plays Stripe and delivers its
// events over HTTP to the webhook route, a real worker processes them and runs the pipelines, the
// instances' local site servers serve the site or the maintenance page, and emails reach an SMTP server.
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";
import { startSmtpCatcher } from "./helpers/smtp-catcher";
import { startWebhookServer } from "./helpers/webhook-server";

await isolatedDatabase();
const catcher = await startSmtpCatcher();
process.env.LYCEUM_SMTP_URL = catcher.url;
const webhook = await startWebhookServer();
process.env.LYCEUM_INTERNAL_URL = webhook.url;

const { db, closeDb } = await import("@/db");
const { deployments, instanceOperations, instanceResources, instances, subscriptions } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { makeVerifiedUser, registerInstance } = await import("./helpers/registration");
const { queuedJobs } = await import("./helpers/jobs");
const { eventually } = await import("./helpers/waiting");

type User = Awaited<ReturnType<typeof makeUser>>;
type InstanceStatus = (typeof instances.$inferSelect)["status"];

let worker: Awaited<ReturnType<typeof startWorker>>;
let staff: User;

beforeAll(async () => {
  worker = await startWorker({ concurrency: 2, quiet: true });
  staff = await makeUser("staff");
});

afterAll(async () => {
  await worker?.stop();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await webhook.close();
  await catcher.close();
  await closeDb();
});

async function instanceRow(id: string) {
  return (await db.query.instances.findFirst({ where: eq(instances.id, id) }))!;
}

async function statusBecomes(id: string, status: InstanceStatus, what = `the instance to be ${status}`) {
  return eventually(async () => {
    const row = await instanceRow(id);
    return row.status === status ? row : undefined;
  }, 60_000, what);
}

async function subscriptionBecomes(instanceId: string, status: string) {
  return eventually(async () => {
    const row = await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instanceId) });
    return row?.status === status ? row : undefined;
  }, 60_000, `the subscription to be ${status}`);
}

/** Every job that could still change billing has run (future timers aside). */
async function settled() {
  await eventually(async () => {
    const busy = (await queuedJobs()).filter(
      (job) =>
        ["deliver_local_billing_event", "process_stripe_event", "suspend_instance", "resume_instance", "apply_plan_change", "reconfigure_instance"].includes(job.task) ||
        (["suspend_for_nonpayment", "deprovision_after_retention"].includes(job.task) && job.runAt.getTime() <= Date.now()),
    );
    return busy.length === 0 ? true : undefined;
  }, 60_000, "the billing jobs to finish");
}

async function siteOf(instanceId: string) {
  const { activeDeploymentId } = await instanceRow(instanceId);
  const deployment = await db.query.deployments.findFirst({ where: eq(deployments.id, activeDeploymentId!) });
  const response = await fetch(`http://${deployment!.address}/`);
  return { status: response.status, html: await response.text() };
}

async function operationKinds(instanceId: string) {
  const rows = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)).orderBy(instanceOperations.createdAt);
  return rows.map((row) => `${row.kind}:${row.status}`);
}

async function paidAndRunning(name = "Lifecycle Academy") {
  const owner = await makeVerifiedUser();
  const instance = await registerInstance(owner, { name, subdomain: `life-${uniqueSuffix()}`, plan: "starter" });
  await apiAs(owner).billing.payLocalCheckout({ id: instance.id });
  await statusBecomes(instance.id, "running");
  await settled();
  return { owner, instance };
}

async function failNextRenewal(instanceId: string) {
  await apiAs(staff).localBilling.setCardDeclines({ instanceId, declines: true, reason: "test: the renewal fails" });
  await apiAs(staff).localBilling.advanceClock({ days: 31, reason: "test: time passes" });
  await subscriptionBecomes(instanceId, "past_due");
}

describe("the billing lifecycle, offline", () => {
  it("warns the owner of a failed payment, and never suspends when it is paid within the grace period", async () => {
    const { owner, instance } = await paidAndRunning();
    await failNextRenewal(instance.id);
    const warning = await catcher.waitFor(owner.email, /Payment failed/);
    expect(warning.text).toContain("suspended");
    expect(await queuedJobs({ key: `billing:suspend:${instance.id}` })).toHaveLength(1);

    await apiAs(staff).localBilling.advanceClock({ days: 3, reason: "test: time passes" });
    await apiAs(owner).localBilling.replaceCardAndPay({ instanceId: instance.id });
    await subscriptionBecomes(instance.id, "active");
    await settled();
    expect(await queuedJobs({ key: `billing:suspend:${instance.id}` })).toEqual([]);

    await apiAs(staff).localBilling.advanceClock({ days: 10, reason: "test: time passes" }); // well past the old deadline
    await settled();
    expect((await instanceRow(instance.id)).status).toBe("running");
    expect(await operationKinds(instance.id)).toEqual(["provision:succeeded"]);
    expect((await siteOf(instance.id)).status).toBe(200);
  });

  it("suspends past the grace period (visitors get the maintenance page), and a later payment brings the site back", async () => {
    const { owner, instance } = await paidAndRunning("Grace Academy");
    await failNextRenewal(instance.id);
    await apiAs(staff).localBilling.advanceClock({ days: 8, reason: "test: time passes" });
    await statusBecomes(instance.id, "suspended");
    const maintenance = await siteOf(instance.id);
    expect(maintenance.status).toBe(503);
    expect(maintenance.html).toContain("Grace Academy is temporarily unavailable");
    await catcher.waitFor(owner.email, /suspended for non-payment/);
    // Data is kept: the server and its ledger entry are still there.
    const ledger = await db.select().from(instanceResources).where(eq(instanceResources.instanceId, instance.id));
    expect(ledger.filter((entry) => entry.kind === "compute.server" && entry.deletedAt === null)).toHaveLength(1);

    await apiAs(owner).localBilling.replaceCardAndPay({ instanceId: instance.id });
    await statusBecomes(instance.id, "running", "the instance to be resumed");
    const site = await siteOf(instance.id);
    expect(site.status).toBe(200);
    expect(site.html).toContain("<h1>Grace Academy</h1>");
    expect(await operationKinds(instance.id)).toEqual(["provision:succeeded", "suspend:succeeded", "resume:succeeded"]);
  });

  it("suspends at once when the subscription is cancelled, and deprovisions after the retention period unless staff keep it", async () => {
    const ending = await paidAndRunning("Ending Academy");
    const kept = await paidAndRunning("Kept Academy");
    await apiAs(staff).localBilling.cancelNow({ instanceId: ending.instance.id, reason: "test: the client leaves" });
    await apiAs(staff).localBilling.cancelNow({ instanceId: kept.instance.id, reason: "test: the client leaves" });
    await statusBecomes(ending.instance.id, "suspended");
    await statusBecomes(kept.instance.id, "suspended");
    expect((await siteOf(ending.instance.id)).status).toBe(503);
    await catcher.waitFor(ending.owner.email, /subscription for Ending Academy has ended/);
    await apiAs(staff).staffBilling.keepInstance({ instanceId: kept.instance.id, reason: "Moving to an invoice contract." });

    await apiAs(staff).localBilling.advanceClock({ days: 31, reason: "test: time passes" });
    await eventually(
      async () => ((await operationKinds(ending.instance.id)).some((kind) => kind.startsWith("deprovision:")) ? true : undefined),
      60_000,
      "the deprovision operation to start",
    );
    await settled();
    expect((await operationKinds(kept.instance.id)).some((kind) => kind.startsWith("deprovision:"))).toBe(false);
    expect((await siteOf(kept.instance.id)).status).toBe(503);
  });

  it("applies a plan change to the running instance with a reconfigure operation", async () => {
    const { owner, instance } = await paidAndRunning("Growing Academy");
    await apiAs(owner).localBilling.changePlan({ instanceId: instance.id, plan: "growth" });
    await eventually(async () => ((await operationKinds(instance.id)).includes("reconfigure:succeeded") ? true : undefined), 60_000, "reconfigure");
    expect((await instanceRow(instance.id)).plan).toBe("growth");
    const [flavor] = await db
      .select()
      .from(instanceResources)
      .where(and(eq(instanceResources.instanceId, instance.id), inArray(instanceResources.kind, ["compute.flavor"])));
    expect(flavor?.details).toMatchObject({ flavor: "b3-16", plan: "growth" });
    expect((await siteOf(instance.id)).status).toBe(200);
  });
});
