// The OVH compute driver, through the real `ovh` client, against a loopback server that checks OVH's request
// signing and API paths (tests/helpers/fake-ovh.ts): create, poll until ACTIVE, public IPv4 as the address,
// find-before-create per deployment, ERROR as a clear failure, delete (404 = gone) and listing; the plan's flavor
// name resolved to the region's flavor id through GET …/flavor (once per name), and an unknown flavor refused.
import { randomUUID } from "node:crypto";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerSpec } from "@/server/infra/compute/driver";
import { createOvhApi, OvhApiError } from "@/server/infra/compute/ovh/api-client";
import { createOvhComputeDriver } from "@/server/infra/compute/ovh/public-cloud";
import { startFakeOvh } from "./helpers/fake-ovh";

const credentials = { applicationKey: "lyceum-app-key", applicationSecret: "lyceum-app-secret", consumerKey: "lyceum-consumer-key" };
const projectId = "0123456789abcdef0123456789abcdef";
const region = "GRA11";
// Each region has its own id for a flavor name; OVH_FLAVOR_ID (the fallback) is GRA11's b3-8.
const flavors = [
  { id: "flavor-b3-8", name: "b3-8", region },
  { name: "b3-16", region },
  { name: "b3-32", region },
  { name: "b3-16", region: "SBG5" },
  { name: "b3-64", region: "SBG5" },
];

let fake: Awaited<ReturnType<typeof startFakeOvh>>;
const previousCa = https.globalAgent.options.ca;

beforeAll(async () => {
  // The server's clock is an hour ahead: requests only pass if the client synced through /auth/time.
  fake = await startFakeOvh({ credentials, projectId, regions: [region, "SBG5"], clockSkewSeconds: 3600, buildReads: 2, flavors });
  // The `ovh` package makes its requests through Node's global HTTPS agent: trust the loopback certificate there.
  https.globalAgent.options.ca = fake.certificate;
});

afterAll(async () => {
  https.globalAgent.options.ca = previousCa;
  await fake?.close();
});

function driver(overrides: Partial<typeof credentials> = {}, endpoint = fake.endpoint) {
  const api = createOvhApi({ endpoint, ...credentials, ...overrides });
  return createOvhComputeDriver(api, {
    projectId,
    region,
    flavorId: "flavor-b3-8",
    imageId: "image-ubuntu-2404",
    sshKeyId: "ssh-key-staff",
    resourcePrefix: "lyt",
    renderUserData: (spec) => `#cloud-config\nfinal_message: deployment ${spec.deploymentId}\n`,
    pollIntervalMs: 10,
  });
}

const spec = (deploymentId = randomUUID(), siteConfig: Record<string, unknown> = {}): ServerSpec => ({ deploymentId, instanceId: randomUUID(), siteConfig });
const flavorId = (name: string, inRegion = region) => fake.flavors.find((flavor) => flavor.name === name && flavor.region === inRegion)!.id;
const signal = () => new AbortController().signal;

describe("the OVH compute driver", () => {
  it("creates the VM with a signed request, polls until ACTIVE and records its public IPv4", async () => {
    const compute = driver();
    const wanted = spec();
    const server = await compute.ensureServer(wanted, signal());

    expect(server.isNew).toBe(true);
    expect(server.address).toMatch(/^203\.0\.113\.\d+:80$/);
    const vm = fake.instances.get(server.serverId)!;
    expect(vm).toMatchObject({
      name: `lyt-${wanted.deploymentId}`,
      status: "ACTIVE",
      region,
      flavorId: "flavor-b3-8",
      imageId: "image-ubuntu-2404",
      sshKeyId: "ssh-key-staff",
      monthlyBilling: false,
      userData: `#cloud-config\nfinal_message: deployment ${wanted.deploymentId}\n`,
    });
    const paths = fake.calls.map((call) => `${call.method} ${call.path}`);
    expect(paths).toEqual([
      `GET /cloud/project/${projectId}/instance`,
      `POST /cloud/project/${projectId}/instance`,
      `GET /cloud/project/${projectId}/instance/${vm.id}`,
      `GET /cloud/project/${projectId}/instance/${vm.id}`,
    ]);
    expect(fake.calls[0]!.query).toEqual({ region });
    expect(fake.rejected).toEqual([]);
    expect(fake.timeRequests()).toBe(1);
  });

  it("boots each VM with the flavor its plan names, looked up once per name in the VM's region", async () => {
    const compute = driver();
    const before = fake.calls.length;
    const growth = await compute.ensureServer(spec(randomUUID(), { plan: "growth", vmFlavor: "b3-16" }), signal());
    const scale = await compute.ensureServer(spec(randomUUID(), { plan: "scale", vmFlavor: "b3-32" }), signal());
    const another = await compute.ensureServer(spec(randomUUID(), { plan: "growth", vmFlavor: "b3-16" }), signal());

    // GRA11's b3-16, not SBG5's (a flavor id belongs to one region).
    expect(flavorId("b3-16")).not.toBe(flavorId("b3-16", "SBG5"));
    expect(fake.instances.get(growth.serverId)!.flavorId).toBe(flavorId("b3-16"));
    expect(fake.instances.get(scale.serverId)!.flavorId).toBe(flavorId("b3-32"));
    expect(fake.instances.get(another.serverId)!.flavorId).toBe(flavorId("b3-16"));
    const flavorCalls = fake.calls.slice(before).filter((call) => call.path.endsWith("/flavor"));
    expect(flavorCalls).toEqual([{ method: "GET", path: `/cloud/project/${projectId}/flavor`, query: { region }, body: null }]);
    const created = fake.calls.slice(before).filter((call) => call.method === "POST").map((call) => (call.body as { flavorId: string }).flavorId);
    expect(created).toEqual([flavorId("b3-16"), flavorId("b3-32"), flavorId("b3-16")]);
  });

  it("boots with OVH_FLAVOR_ID only when the configuration names no flavor, and refuses a flavor the region lacks", async () => {
    const fallback = await driver().ensureServer(spec(), signal());
    expect(fake.instances.get(fallback.serverId)!.flavorId).toBe("flavor-b3-8");

    const before = fake.calls.length;
    const wanted = spec(randomUUID(), { vmFlavor: "b3-64" }); // SBG5 has one, GRA11 does not
    await expect(driver().ensureServer(wanted, signal())).rejects.toThrow(
      `OVH has no flavor "b3-64" in region ${region} (project ${projectId}); it offers b3-16, b3-32, b3-8`,
    );
    expect(fake.calls.slice(before).filter((call) => call.method === "POST")).toEqual([]);
    expect([...fake.instances.values()].some((vm) => vm.name === `lyt-${wanted.deploymentId}`)).toBe(false);

    const withoutFallback = createOvhComputeDriver(createOvhApi({ endpoint: fake.endpoint, ...credentials }), {
      projectId,
      region,
      imageId: "image-ubuntu-2404",
      sshKeyId: "ssh-key-staff",
      resourcePrefix: "lyt",
      renderUserData: () => "#cloud-config\n",
    });
    await expect(withoutFallback.ensureServer(spec(), signal())).rejects.toThrow(
      "the deployment's configuration names no VM flavor and OVH_FLAVOR_ID is not set",
    );
  });

  it("is refused by OVH when the flavor id is not one of the region's", async () => {
    const api = createOvhApi({ endpoint: fake.endpoint, ...credentials });
    const body = { name: "lyt-wrong-region", region, flavorId: flavorId("b3-16", "SBG5"), imageId: "image-ubuntu-2404" };
    await expect(api.request("POST", `/cloud/project/${projectId}/instance`, body)).rejects.toThrow(
      `400 from the OVH API: Flavor ${flavorId("b3-16", "SBG5")} does not exist in region ${region}`,
    );
  });

  it("finds the deployment's VM by name instead of creating a second one", async () => {
    const compute = driver();
    const wanted = spec();
    const first = await compute.ensureServer(wanted, signal());
    const again = await driver().ensureServer(wanted, signal());
    expect(again).toEqual({ ...first, isNew: false });
    expect([...fake.instances.values()].filter((vm) => vm.name === `lyt-${wanted.deploymentId}`)).toHaveLength(1);
  });

  it("fails clearly when the VM ends in ERROR, and replaces it on the next attempt", async () => {
    const compute = driver();
    const wanted = spec();
    fake.failBuildOf(`lyt-${wanted.deploymentId}`);
    await expect(compute.ensureServer(wanted, signal())).rejects.toThrow(
      new RegExp(`VM lyt-${wanted.deploymentId} \\(.+\\) failed to build \\(status ERROR in ${region}\\)`),
    );
    const broken = [...fake.instances.values()].find((vm) => vm.name === `lyt-${wanted.deploymentId}`)!;
    expect(broken.status).toBe("ERROR");

    await expect(compute.ensureServer(wanted, signal())).rejects.toThrow(/failed to build/);
    expect(fake.instances.has(broken.id)).toBe(false);
    expect(fake.calls).toContainEqual({ method: "DELETE", path: `/cloud/project/${projectId}/instance/${broken.id}`, query: {}, body: null });
  });

  it("lists only this portal's VMs, deletes one, and treats a VM that is already gone as deleted", async () => {
    const compute = driver();
    const server = await compute.ensureServer(spec(), signal());
    // Someone else's VM in the same project and region is not ours to list or reconcile.
    await createOvhApi({ endpoint: fake.endpoint, ...credentials }).request("POST", `/cloud/project/${projectId}/instance`, {
      name: "bastion",
      region,
      flavorId: "flavor-b3-8",
      imageId: "i",
    });
    const listed = await compute.listServers();
    expect(listed).toContainEqual({ serverId: server.serverId, address: server.address });
    expect(listed.every((entry) => fake.instances.get(entry.serverId)!.name.startsWith("lyt-"))).toBe(true);

    await compute.destroyServer(server.serverId);
    expect(fake.instances.has(server.serverId)).toBe(false);
    expect((await compute.listServers()).map((entry) => entry.serverId)).not.toContain(server.serverId);
    await expect(compute.destroyServer(server.serverId)).resolves.toBeUndefined();
    expect(fake.calls.filter((call) => call.method === "DELETE" && call.path.endsWith(server.serverId))).toHaveLength(2);
  });

  it("shelves a VM (compute freed, disk kept) and unshelves it, waiting until it is ACTIVE again", async () => {
    const compute = driver();
    const server = await compute.ensureServer(spec(), signal());
    const before = fake.calls.length;
    const refusedBefore = fake.rejected.length;
    await compute.stopServer(server.serverId);
    expect(fake.instances.get(server.serverId)!.status).toBe("SHELVED_OFFLOADED");
    // Twice is once: a shelved VM is not shelved again (OVH would refuse it).
    await compute.stopServer(server.serverId);
    const started = await compute.startServer(server.serverId, signal());
    expect(started).toEqual({ serverId: server.serverId, address: server.address });
    expect(fake.instances.get(server.serverId)!.status).toBe("ACTIVE");
    const actions = fake.calls.slice(before).filter((call) => call.method === "POST").map((call) => `${call.method} ${call.path}`);
    expect(actions).toEqual([`POST /cloud/project/${projectId}/instance/${server.serverId}/shelve`, `POST /cloud/project/${projectId}/instance/${server.serverId}/unshelve`]);
    expect(fake.rejected.slice(refusedBefore)).toEqual([]);
  });

  it("stops waiting for a VM that is still building when the step is aborted", async () => {
    const slow = await startFakeOvh({ credentials, projectId, regions: [region], buildReads: 1_000_000, flavors });
    try {
      https.globalAgent.options.ca = [fake.certificate, slow.certificate];
      const compute = driver({}, slow.endpoint);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("timed out after 0.2 s")), 200);
      await expect(compute.ensureServer(spec(), controller.signal)).rejects.toThrow("timed out after 0.2 s");
      expect([...slow.instances.values()].map((vm) => vm.status)).toEqual(["BUILD"]);
    } finally {
      https.globalAgent.options.ca = fake.certificate;
      await slow.close();
    }
  });

  it("cannot reconfigure a VM in place: it says to redeploy", async () => {
    const compute = driver();
    expect(compute.canReconfigureInPlace).toBe(false);
    await expect(compute.reconfigureServer("vm-1")).rejects.toThrow(/cannot change server vm-1 in place .* redeploy the instance/);
  });

  it("is refused by OVH with a wrong secret or consumer key, and says so", async () => {
    const before = fake.rejected.length;
    const badSecret = driver({ applicationSecret: "not-the-secret" }).listServers();
    await expect(badSecret).rejects.toBeInstanceOf(OvhApiError);
    await expect(badSecret).rejects.toThrow(`GET /cloud/project/${projectId}/instance: 400 from the OVH API: Invalid signature`);
    await expect(driver({ consumerKey: "revoked" }).listServers()).rejects.toThrow(/403 from the OVH API: This credential does not exist/);
    expect(fake.rejected.slice(before)).toEqual([
      { status: 400, errorCode: "INVALID_SIGNATURE", message: "Invalid signature" },
      { status: 403, errorCode: "INVALID_CREDENTIAL", message: "This credential does not exist" },
    ]);
  });

  it("boots a deployment's N application servers as N VMs named by deployment and index, finds each again, and deletes all of them", async () => {
    const compute = driver();
    const deploymentId = randomUUID();
    const instanceId = randomUUID();
    const specs = [0, 1, 2].map((serverIndex): ServerSpec => ({ deploymentId, instanceId, serverIndex, siteConfig: { plan: "scale", vmFlavor: "b3-32" } }));
    const before = fake.instances.size;
    const servers = await Promise.all(specs.map((wanted) => compute.ensureServer(wanted, signal())));
    expect(fake.instances.size - before).toBe(3);
    expect(servers.map((server) => fake.instances.get(server.serverId)!.name)).toEqual([`lyt-${deploymentId}`, `lyt-${deploymentId}-1`, `lyt-${deploymentId}-2`]);
    expect(servers.every((server) => server.isNew)).toBe(true);
    expect(new Set(servers.map((server) => server.address)).size).toBe(3);
    // A retried boot step finds each VM by its name instead of creating another.
    const again = await Promise.all(specs.map((wanted) => driver().ensureServer(wanted, signal())));
    expect(again.map((server) => [server.serverId, server.isNew])).toEqual(servers.map((server) => [server.serverId, false]));
    expect(fake.instances.size - before).toBe(3);
    const listed = (await compute.listServers()).map((server) => server.serverId);
    expect(listed).toEqual(expect.arrayContaining(servers.map((server) => server.serverId)));
    // Deprovisioning walks the ledger, which holds each server's id: every VM is deleted.
    for (const server of servers) await compute.destroyServer(server.serverId);
    const left = (await compute.listServers()).map((server) => server.serverId);
    for (const server of servers) expect(left).not.toContain(server.serverId);
  });
});
