// The health gate against a real loopback server that routes by Host, as Caddy does on a VM.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smokeCheckDeployment } from "./smoke-check";

let server: http.Server;
let address = "";
const statusByHost: Record<string, number> = {};

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const status = request.url === "/heartbeat" ? (statusByHost.heartbeat ?? 200) : (statusByHost[request.headers.host ?? ""] ?? 404);
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const deployment = () => ({ id: "0f0f0f0f-0000-4000-8000-000000000000", address, config: { hostnames: { lms: "lms.example", studio: "studio.example", preview: "p", apps: "a" } } as never });

describe("the upgrade's health gate", () => {
  it("passes when the heartbeat, the LMS and Studio answer on their own hostnames (a redirect to log in counts)", async () => {
    Object.assign(statusByHost, { heartbeat: 200, "lms.example": 200, "studio.example": 302 });
    await expect(smokeCheckDeployment(deployment(), new AbortController().signal)).resolves.toBe("heartbeat 200, LMS 200, Studio 302");
  });

  it("fails naming each part that did not answer, even with the heartbeat up", async () => {
    Object.assign(statusByHost, { heartbeat: 200, "lms.example": 200, "studio.example": 502 });
    await expect(smokeCheckDeployment(deployment(), new AbortController().signal)).rejects.toThrow("the health gate failed on deployment 0f0f0f0f (Studio 502)");
    Object.assign(statusByHost, { heartbeat: 503, "lms.example": 500, "studio.example": 200 });
    await expect(smokeCheckDeployment(deployment(), new AbortController().signal)).rejects.toThrow("(heartbeat 503, LMS 500)");
  });
});
