// The OVH compute driver, through the real `ovh` client, against a loopback server that checks OVH's request
// signing and API paths (tests/helpers/fake-ovh.ts): create, poll until ACTIVE, public IPv4 as the address,
// find-before-create per deployment, ERROR as a clear failure, delete (404 = gone) and listing.
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

let fake: Awaited<ReturnType<typeof startFakeOvh>>;
const previousCa = https.globalAgent.options.ca;

beforeAll(async () => {
  // The server's clock is an hour ahead: requests only pass if the client synced through /auth/time.
  fake = await startFakeOvh({ credentials, projectId, regions: [region], clockSkewSeconds: 3600, buildReads: 2 });
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

const spec = (deploymentId = randomUUID()): ServerSpec => ({ deploymentId, instanceId: randomUUID(), siteConfig: {} });
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
      flavorId: "f",
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

  it("stops waiting for a VM that is still building when the step is aborted", async () => {
    const slow = await startFakeOvh({ credentials, projectId, regions: [region], buildReads: 1_000_000 });
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
});
