// A call that fails on our side (the database cut the query off) answers 500 with a message that names the
// request and nothing of the failure: drizzle's error text is the failed SQL with its parameters, and
// postgres.js's names tables and the server. The whole error goes to the log under the same request id.
// Real HTTP against the real tRPC route, a real session cookie, and a real query killed by the database.
import { Writable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as trpcRoute from "@/app/api/trpc/[trpc]/route";
import { closeDb } from "@/db";
import { setLogDestination } from "@/server/observability/logger";
import { makeUser } from "../helpers/accounts";
import { logInThroughAuthJs } from "../helpers/auth-js";
import { serveRoutes } from "../helpers/route-server";
import { eventually } from "../helpers/waiting";

const REQUEST_ID = "lb-req-internal-error-1";

let portal: Awaited<ReturnType<typeof serveRoutes>>;
let admin: postgres.Sql;
const logLines: string[] = [];

beforeAll(async () => {
  process.env.LYCEUM_LOG_LEVEL = "info";
  setLogDestination(new Writable({ write: (chunk: Buffer, _encoding, done) => void (logLines.push(chunk.toString()), done()) }));
  portal = await serveRoutes({ "/api/trpc/instances.mine": (request) => trpcRoute.GET(request) });
  admin = postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  setLogDestination(null);
  await portal?.close();
  await admin?.end({ timeout: 5 });
  await closeDb();
});

describe("internal errors over tRPC", () => {
  it("a query the database kills answers 500 with the request id and no SQL, parameters or server details", async () => {
    const owner = await makeUser();
    const sessionCookie = await logInThroughAuthJs({ email: owner.email, password: "a long enough password" });

    // An operator's migration holds the table; the portal's query waits on it and is then terminated.
    const response = await admin.begin(async (locked) => {
      await locked`lock table instances in access exclusive mode`;
      const answer = fetch(`${portal.url}/api/trpc/instances.mine`, {
        headers: { cookie: `authjs.session-token=${sessionCookie}`, "x-request-id": REQUEST_ID },
      });
      const waiting = await eventually(async () => {
        const rows = await admin`
          select pid from pg_stat_activity
          where wait_event_type = 'Lock' and query ilike '%from "instances"%' and datname = current_database()`;
        return rows.length > 0 ? rows : undefined;
      }, 10_000, "the portal's query to wait on the lock");
      for (const { pid } of waiting) await admin`select pg_terminate_backend(${pid})`;
      return answer;
    });

    expect(response.status).toBe(500);
    const text = await response.text();
    const body = JSON.parse(text) as { error: { json: { message: string; data: Record<string, unknown> } } };
    expect(body.error.json.message).toBe(
      `Something went wrong on our side; it has been logged. If it keeps happening, contact support and quote request ${REQUEST_ID}.`,
    );
    expect(body.error.json.data.code).toBe("INTERNAL_SERVER_ERROR");
    expect(body.error.json.data).not.toHaveProperty("stack");
    for (const secret of ["Failed query", "select", "lock", owner.id, "terminating", "administrator", "127.0.0.1"]) expect(text).not.toContain(secret);

    const logged = logLines.filter((line) => line.includes(REQUEST_ID)).join("");
    expect(logged).toContain("Failed query");
    expect(logged).toContain(owner.id);
  });
});
