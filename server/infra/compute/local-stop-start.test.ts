// The local driver's stop and start, as a suspension past its grace uses them: the site process ends, and starts
// again from the same configuration and, when it is still free, the same port.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalComputeDriver } from "./local";

const stateDir = mkdtempSync(path.join(os.tmpdir(), "local-compute-"));
const compute = createLocalComputeDriver(stateDir);
afterAll(async () => {
  await compute.stopAll();
  rmSync(stateDir, { recursive: true, force: true });
});

const heartbeat = (address: string) => fetch(`http://${address}/heartbeat`).then((response) => response.status, () => null);
async function waitFor(address: string, status: number | null) {
  for (let tries = 0; tries < 100; tries++) {
    if ((await heartbeat(address)) === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${address} never answered ${status}`);
}

describe("the local compute driver's stop and start", () => {
  it("stops the site process and starts it again on the same address", async () => {
    const deploymentId = randomUUID();
    const server = await compute.ensureServer({ deploymentId, instanceId: randomUUID(), siteConfig: { instanceName: "Stop and start", pages: [] } });
    await waitFor(server.address, 200);
    await compute.stopServer(server.serverId);
    await waitFor(server.address, null);
    expect(await compute.listServers()).not.toContainEqual({ serverId: server.serverId, address: server.address });
    await compute.stopServer(server.serverId);
    // A plan or settings change while it is stopped is what it starts with.
    await compute.reconfigureServer(server.serverId, { instanceName: "Renamed while stopped", pages: [] });
    expect(await compute.startServer(server.serverId)).toEqual({ serverId: server.serverId, address: server.address });
    await waitFor(server.address, 200);
    expect(await fetch(`http://${server.address}/`).then((response) => response.text())).toContain("Renamed while stopped");
    await compute.destroyServer(server.serverId);
    await expect(compute.startServer(server.serverId)).rejects.toThrow(/no configuration to start from/);
  });
});
