// End to end below the browser: a signed payment (the local billing driver's events) reaches the webhook
// route, a real graphile-worker processes it and runs the provision pipeline, a real local server comes up,
// and a live subscriber sees every event once, in order.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { certificates, deployments, instances } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { streamInstanceEvents } = await import("@/server/events/stream");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { uniqueSuffix } = await import("./helpers/accounts");
const { makeVerifiedUser, registerInstance } = await import("./helpers/registration");
const { checkoutAtStripe, deliver } = await import("./helpers/billing");
const { eventually } = await import("./helpers/waiting");

let worker: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  worker = await startWorker({ concurrency: 2, quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeDb();
});

describe("provisioning a paid instance", () => {
  it("goes from payment to a running site, streaming every step live", async () => {
    const owner = await makeVerifiedUser();
    const subdomain = `prov-${uniqueSuffix()}`;
    const instance = await registerInstance(owner, { name: "Provisioned Academy", subdomain });

    // Subscribe before paying, from the last event the page would have rendered.
    const controller = new AbortController();
    const seen: { seq: number; kind: string; message: string; data: unknown }[] = [];
    const collecting = (async () => {
      for await (const event of streamInstanceEvents(instance.id, 0, controller.signal)) {
        seen.push(event);
        if (event.kind === "status_changed" && (event.data as { to?: string })?.to === "running") break;
      }
    })();

    await deliver(await checkoutAtStripe(instance, owner));
    await collecting;
    controller.abort();

    const row = await db.query.instances.findFirst({ where: eq(instances.id, instance.id) });
    expect(row?.status).toBe("running");
    expect(seen.map((event) => event.seq)).toEqual(seen.map((_, i) => i + 1));
    const stepsDone = seen.filter((event) => event.kind === "step_succeeded").map((event) => event.message.split(":")[0]);
    expect(stepsDone).toEqual([
      "Show visitors the 'being prepared' page",
      "Create MySQL databases and users",
      "Create MongoDB database and user",
      "Create RabbitMQ virtual host and user",
      "Create storage bucket and access key",
      "Create Elasticsearch role and user",
      "Issue the instance's mail relay credential",
      "Keep the instance's Open edX secrets",
      "Boot the services server (memcached, Elasticsearch)",
      "Render deployment configuration",
      "Boot application server",
      "Wait for the instance to answer /heartbeat",
      "Publish DNS records",
      "Obtain TLS certificates",
      "Switch traffic to the new deployment",
      "Update the load balancer",
    ]);
    const running = seen.at(-1)!;
    const siteUrl = (running.data as { siteUrl: string }).siteUrl;
    expect(siteUrl).toMatch(new RegExp(`^http://${subdomain}\\.localhost:\\d+/$`));

    const deployment = await db.query.deployments.findFirst({ where: eq(deployments.id, row!.activeDeploymentId!) });
    expect(deployment?.status).toBe("running");
    const page = await fetch(`http://${deployment!.address}/`).then((r) => r.text());
    expect(page).toContain("<h1>Provisioned Academy</h1>");
    // The local drivers' DNS and certificates: records in a file for *.localhost, self-signed certificates.
    const { createLocalDnsDriver } = await import("@/server/infra/dns/local");
    const records = await createLocalDnsDriver(process.env.LYCEUM_STATE_DIR!, "localhost").listRecordSets();
    expect(records.filter((r) => r.name.endsWith(`${subdomain}.localhost`)).map((r) => r.name).sort()).toEqual(
      [`${subdomain}.localhost`, `apps-${subdomain}.localhost`, `preview-${subdomain}.localhost`, `studio-${subdomain}.localhost`].sort(),
    );
    // Every name is one label under the hosting domain: the shared wildcard covers them, the instance has none of its own.
    expect(await db.select().from(certificates).where(eq(certificates.instanceId, row!.id))).toEqual([]);
    expect(await db.select().from(certificates).where(eq(certificates.hostnames, ["*.localhost"]))).toMatchObject([{ instanceId: null, source: "self_signed", status: "active" }]);
    expect((await fetch(`http://${deployment!.address}/heartbeat`)).status).toBe(200);

    // A subscriber that reconnects after event N gets N+1… and nothing it already had.
    const resumeAfter = seen[4]!.seq;
    const resumed: number[] = [];
    const again = new AbortController();
    for await (const event of streamInstanceEvents(instance.id, resumeAfter, again.signal)) {
      resumed.push(event.seq);
      if (event.seq === running.seq) break;
    }
    again.abort();
    expect(resumed).toEqual(seen.slice(5).map((event) => event.seq));
  });

  it("brings a running instance's server back when it is found dead (the reconcile job)", async () => {
    const owner = await makeVerifiedUser();
    const instance = await registerInstance(owner, { name: "Phoenix", subdomain: `phx-${uniqueSuffix()}` });
    await deliver(await checkoutAtStripe(instance, owner));
    const running = await eventually(async () => {
      const row = await db.query.instances.findFirst({ where: eq(instances.id, instance.id) });
      return row?.status === "running" ? row : undefined;
    }, 60_000, "the instance to run");
    const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
    const serverId = `local-${running.activeDeploymentId}`;
    await compute.stopAll();
    expect((await compute.listServers()).map((s) => s.serverId)).not.toContain(serverId);

    const { enqueueJob } = await import("@/server/queue/enqueue");
    await enqueueJob(db, "reconcile_compute", {}, { jobKey: "reconcile_compute" });
    await eventually(async () => ((await compute.listServers()).some((s) => s.serverId === serverId) ? true : undefined), 30_000, "restart");
    const deployment = await eventually(async () => {
      const d = await db.query.deployments.findFirst({ where: eq(deployments.id, running.activeDeploymentId!) });
      return d?.address ? d : undefined;
    });
    await eventually(async () => ((await fetch(`http://${deployment.address}/heartbeat`)).ok ? true : undefined), 30_000, "heartbeat");
  });
});
