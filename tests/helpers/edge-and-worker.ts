// For a test file that has set LOAD_BALANCER_DRIVER=haproxy and its ports before importing anything that reads the
// configuration: a real HAProxy started from the database's state and one worker, both before the file's tests, and
// after them both stopped, every local site the file started destroyed, and the connections closed.
import { afterAll, beforeAll } from "vitest";
import type { HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import { HAPROXY_BIN } from "./system-tools";

/** `beforeStart`: run before HAProxy and the worker start (e.g. to swap in a driver with setInfrastructure). */
export function useEdgeAndWorker(options: { beforeStart?: () => void | Promise<void> } = {}): { haproxy: () => HaproxyLoadBalancer } {
  let haproxy: HaproxyLoadBalancer | null = null;
  let worker: { stop(): Promise<void> } | null = null;

  beforeAll(async () => {
    await options.beforeStart?.();
    const { db } = await import("@/db");
    const { startWorker } = await import("@/jobs/start-worker");
    const { env } = await import("@/server/env");
    const { infra } = await import("@/server/infra");
    const { haproxyDirIn, HaproxyLoadBalancer } = await import("@/server/infra/load-balancer/haproxy");
    haproxy = new HaproxyLoadBalancer(haproxyDirIn(env().LYCEUM_STATE_DIR), HAPROXY_BIN);
    await haproxy.start(await infra().loadBalancer!.stateFrom(db));
    worker = await startWorker({ concurrency: 2, quiet: true });
  });

  afterAll(async () => {
    const { closeDb } = await import("@/db");
    const { env } = await import("@/server/env");
    const { closeInfrastructure } = await import("@/server/infra");
    const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
    await worker?.stop();
    await haproxy?.stop();
    const compute = createLocalComputeDriver(env().LYCEUM_STATE_DIR);
    for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
    await closeInfrastructure();
    await closeDb();
  });

  return {
    haproxy: () => {
      if (!haproxy) throw new Error("HAProxy is not started yet: use it inside a test");
      return haproxy;
    },
  };
}
