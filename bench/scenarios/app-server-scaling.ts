// 8. Several application servers: requests/s through the real HAProxy to one site with 1, 2 and 3 local site processes
// (the local compute driver's servers), in one run. The 1-server figure is the baseline; the goal is ≥ 1.6× at 2.
// Every process shares this machine's cores with HAProxy and the load generator itself, so the ratio says as much
// about the cores as about the balancing: docs/benchmarks.md reads it with the core count beside it.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createLocalComputeDriver } from "@/server/infra/compute/local";
import { selfSignedPemPair } from "@/server/infra/load-balancer/default-certificate";
import { HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";
import type { LoadBalancerState } from "@/server/infra/load-balancer/state";
import { freePort } from "@/server/net/free-port";
import type { Scenario } from "../lib/context";
import { medianOf } from "../lib/report";

const HOST = "scaling.bench";
const CONNECTIONS = 16;
const LAST_CHUNK = "\r\n0\r\n\r\n";

/**
 * Keep-alive connections each sending the next GET / as soon as the last answer is complete, for `seconds`; raw
 * sockets with a minimal response reader, so the generator spends as little of the shared CPU as it can.
 */
async function requestsPerSecond(port: number, seconds: number): Promise<{ rate: number; failures: number }> {
  const request = Buffer.from(`GET / HTTP/1.1\r\nhost: ${HOST}\r\nconnection: keep-alive\r\n\r\n`);
  const stopAt = performance.now() + seconds * 1000;
  let completed = 0;
  let failures = 0;
  const connection = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      let buffered: Buffer = Buffer.alloc(0);
      const finish = () => {
        socket.destroy();
        resolve();
      };
      socket.on("connect", () => socket.write(request));
      socket.on("error", () => {
        failures += 1;
        finish();
      });
      socket.on("data", (chunk: Buffer) => {
        buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
        for (;;) {
          const headerEnd = buffered.indexOf("\r\n\r\n");
          if (headerEnd < 0) return;
          const head = buffered.subarray(0, headerEnd).toString("latin1");
          let end: number;
          if (/transfer-encoding:\s*chunked/i.test(head)) {
            // The site's pages come chunked: the answer ends with the last, empty chunk.
            const last = buffered.indexOf(LAST_CHUNK, headerEnd + 2);
            if (last < 0) return;
            end = last + LAST_CHUNK.length;
          } else {
            end = headerEnd + 4 + Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
            if (buffered.length < end) return;
          }
          if (head.startsWith("HTTP/1.1 200")) completed += 1;
          else failures += 1;
          buffered = buffered.subarray(end);
          if (performance.now() >= stopAt || /connection:\s*close/i.test(head)) return finish();
          socket.write(request);
        }
      });
    });
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, connection));
  return { rate: completed / ((performance.now() - startedAt) / 1000), failures };
}

export const appServerScaling: Scenario = {
  name: "8. app servers",
  async run(ctx) {
    const seconds = ctx.isSmoke ? 3 : 10;
    const instanceId = randomUUID();
    const deploymentId = randomUUID();
    const stateDir = await mkdtemp(path.join(os.tmpdir(), "lyceum-bench-scaling-"));
    const compute = createLocalComputeDriver(stateDir);
    const portal = http.createServer((_req, res) => res.writeHead(200).end("portal"));
    await new Promise<void>((resolve) => portal.listen(0, "127.0.0.1", resolve));
    const httpPort = await freePort();
    const haproxy = new HaproxyLoadBalancer(path.join(stateDir, "load-balancer"), process.env.HAPROXY_BIN ?? "/usr/sbin/haproxy");
    const defaultCertificate = await selfSignedPemPair(["default.invalid"]);
    const state = (addresses: string[]): LoadBalancerState => ({
      httpBind: `127.0.0.1:${httpPort}`,
      httpsBind: null,
      portalAddress: `127.0.0.1:${(portal.address() as AddressInfo).port}`,
      sites: [{ instanceId, hostnames: [HOST], backendAddresses: addresses, mode: "serving" }],
      certificates: [],
      defaultCertificate,
    });
    const rates = new Map<number, number[]>();
    try {
      const servers = await Promise.all(
        [0, 1, 2].map((serverIndex) =>
          compute.ensureServer({ deploymentId, instanceId, serverIndex, siteConfig: { instanceName: "Scaling bench", pages: [] } }, new AbortController().signal),
        ),
      );
      for (const server of servers) {
        for (let tries = 0; !(await fetch(`http://${server.address}/heartbeat`).then((r) => r.ok, () => false)); tries++) {
          if (tries > 200) throw new Error(`${server.serverId} never answered`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      await haproxy.start(state([servers[0]!.address]));
      for (let run = 0; run < ctx.runs; run++) {
        for (const count of [1, 2, 3]) {
          await haproxy.apply(state(servers.slice(0, count).map((server) => server.address)));
          // Every server UP on the health checks before the clock starts.
          for (let tries = 0; ; tries++) {
            const stats = await haproxy.siteServerStats(instanceId);
            if (stats.length === count && stats.every((server) => server.status === "UP")) break;
            if (tries > 200) throw new Error(`HAProxy did not mark ${count} server(s) UP`);
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          await requestsPerSecond(httpPort, 1); // warm-up
          const { rate, failures } = await requestsPerSecond(httpPort, seconds);
          if (failures) throw new Error(`${failures} request(s) failed with ${count} server(s)`);
          rates.set(count, [...(rates.get(count) ?? []), rate]);
          ctx.log(`run ${run + 1}: ${count} server(s): ${rate.toFixed(0)} requests/s`);
        }
      }
    } finally {
      await haproxy.stop();
      for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
      await new Promise((resolve) => portal.close(resolve));
      await rm(stateDir, { recursive: true, force: true });
    }
    const one = { label: "1 server", runs: rates.get(1)! };
    const cores = os.cpus().length;
    const figure = (count: number) => `requests/s through HAProxy, ${count} local servers, ${CONNECTIONS} keep-alive connections, ${cores} cores shared with HAProxy and the load generator`;
    return [
      { scenario: this.name, figure: figure(2), unit: "req/s", runs: rates.get(2)!, baseline: one, goal: "≥ 1.6× baseline", pass: medianOf(rates.get(2)!) >= 1.6 * medianOf(one.runs) },
      { scenario: this.name, figure: figure(3), unit: "req/s", runs: rates.get(3)!, baseline: one, goal: "report", pass: null },
    ];
  },
};
