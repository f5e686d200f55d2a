// Local front door: no load balancer here, so each instance's local site server plays that part. The
// driver writes the instance's front-door file; the site server reads it on every request (so the state
// also survives restarts of the server) and answers with the maintenance page while it says so. The
// driver then checks, over HTTP, that visitors really get what was asked for.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FrontDoorDriver, FrontDoorTarget } from "./driver";

type FrontDoorFile = { maintenance: boolean; changedAt: string };

export function localFrontDoorFile(stateDir: string, instanceId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(instanceId)) throw new Error(`Not an instance id: ${instanceId}`);
  return path.resolve(stateDir, "front-door", `${instanceId}.json`);
}

const CONFIRM_TIMEOUT_MS = 10_000;

export function createLocalFrontDoor(stateDir: string): FrontDoorDriver {
  async function write(instanceId: string, maintenance: boolean) {
    const file = localFrontDoorFile(stateDir, instanceId);
    await mkdir(path.dirname(file), { recursive: true });
    const content: FrontDoorFile = { maintenance, changedAt: new Date().toISOString() };
    // Written aside and renamed, so the site server never reads half a file.
    await writeFile(`${file}.tmp`, JSON.stringify(content));
    await rename(`${file}.tmp`, file);
  }

  /** Waits until the site answers `/` with the expected status (the backend may be a moment behind). */
  async function confirm(target: FrontDoorTarget, expectedStatus: number, signal: AbortSignal) {
    if (!target.backendAddress) return;
    const url = `http://${target.backendAddress}/`;
    const deadline = Date.now() + CONFIRM_TIMEOUT_MS;
    let last = "no answer";
    while (Date.now() < deadline && !signal.aborted) {
      try {
        const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2000)]) });
        await response.body?.cancel();
        if (response.status === expectedStatus) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${url} should answer ${expectedStatus} but answers ${last}`);
  }

  return {
    name: "local",
    maintenancePageNeedsServer: true,
    async showMaintenancePage(target, signal) {
      await write(target.instanceId, true);
      await confirm(target, 503, signal);
    },
    async serveNormally(target, signal) {
      await write(target.instanceId, false);
      await confirm(target, 200, signal);
    },
    async isShowingMaintenancePage(instanceId) {
      try {
        const content = JSON.parse(await readFile(localFrontDoorFile(stateDir, instanceId), "utf8")) as FrontDoorFile;
        return content.maintenance;
      } catch {
        return false;
      }
    },
  };
}
