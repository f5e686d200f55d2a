// /api/ready is public (the load balancer polls it without credentials): while the database is unreachable
// it must say which check failed and nothing more. The error text (server addresses, role and database names)
// goes to the log. Real HTTP against the real route, with the portal pointed at a database that refuses it.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A role that does not exist: PostgreSQL's refusal names it (and this process's database).
const SECRET_ROLE = "lyceum_ready_probe_role";
process.env.DATABASE_URL = `postgres://${SECRET_ROLE}@127.0.0.1:5432/lyceum_internal_db`;

const { closeDb } = await import("@/db");
const readyRoute = await import("@/app/api/ready/route");
const { setLogDestination } = await import("@/server/observability/logger");
const { serveRoutes } = await import("../helpers/route-server");

let portal: Awaited<ReturnType<typeof serveRoutes>>;
const logLines: string[] = [];

beforeAll(async () => {
  process.env.LYCEUM_LOG_LEVEL = "info";
  setLogDestination(new Writable({ write: (chunk: Buffer, _encoding, done) => void (logLines.push(chunk.toString()), done()) }));
  portal = await serveRoutes({ "/api/ready": readyRoute.GET });
});

afterAll(async () => {
  setLogDestination(null);
  await portal?.close();
  await closeDb().catch(() => {});
});

describe("readiness error leaks", () => {
  it("an unreachable database answers 503 naming only the failed check, and logs the error text", async () => {
    const response = await fetch(`${portal.url}/api/ready`);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "not ready", failedChecks: ["database"] });
    expect(text).not.toContain(SECRET_ROLE);
    expect(text).not.toContain("127.0.0.1");
    expect(logLines.join("")).toContain(SECRET_ROLE);
  });

  it("a second poll in the same state does not repeat the log line", async () => {
    const before = logLines.length;
    expect((await fetch(`${portal.url}/api/ready`)).status).toBe(503);
    expect(logLines.length).toBe(before);
  });
});
