// 5. Staff fleet list and search on 100 000 instances (10 000 in the smoke run): the first page, a filtered page
// and substring searches over an instance's name, its subdomain and its owner's email, called over HTTP as the
// staff page calls tRPC `staff.fleet`. The figure is the p95 of the server's own time, read from the
// `server-timing` header the tRPC handler sets (server/api/http.ts: session, procedure and serialising, without
// the network or Next's routing); the baseline is the same header on a call that does next to nothing (the staff
// member's own `instances.mine`, which is empty).
import { eq, sql } from "drizzle-orm";
import { db } from "@/db";
import { instances, users } from "@/db/schema";
import type { FleetQueryParams } from "@/server/staff/fleet-input";
import { seedFleet } from "../../scripts/lib/seed-fleet";
import type { Scenario } from "../lib/context";
import { medianOf, type Figure } from "../lib/report";
import { signIn } from "../lib/session";
import { percentile } from "../lib/stats";

const GOAL_MS = 50;

async function serverTimeMs(baseUrl: string, cookie: string, procedure: string, input?: FleetQueryParams): Promise<number> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await fetch(`${baseUrl}/api/trpc/${procedure}${query}`, { headers: { cookie } });
  if (!response.ok) throw new Error(`${procedure} ${JSON.stringify(input)} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
  const timing = /app;dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "");
  if (!timing) throw new Error(`${procedure} answered without a server-timing header`);
  return Number(timing[1]);
}

export const fleetList: Scenario = {
  name: "5. staff fleet list",
  async run(ctx) {
    const count = ctx.isSmoke ? 10_000 : 100_000;
    const samples = ctx.isSmoke ? 20 : 40;
    const seedStarted = performance.now();
    const seeded = await seedFleet(db, { instances: count, seed: 7, withHistory: false });
    ctx.log(`seeded ${seeded.instances} instances (no history) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (tag ${seeded.tag})`);
    // Search terms from the seeded fleet: a subdomain's numbered tail, an owner's email up to its domain (both
    // match one instance or a few), and two words of a name (which match some hundreds).
    const middle = `-${Math.floor(count / 2)}-${seeded.tag}`;
    const [owner] = await db
      .select({ email: users.email })
      .from(instances)
      .innerJoin(users, eq(users.id, instances.ownerId))
      .where(sql`${instances.subdomain} like ${`%${middle}`}`);
    const jar = await signIn(ctx.baseUrl, ctx.staff.email, ctx.staff.password);
    const queries: [string, FleetQueryParams][] = [
      ["first page", {}],
      ["filtered page (running, growth plan)", { status: "running", plan: "growth" }],
      ["search by name (\"harbor bridge\")", { search: "harbor bridge" }],
      ["search by part of a subdomain", { search: middle }],
      ["search by part of an owner email", { search: owner!.email.split("@")[0]!.slice(2) }],
    ];
    const baselineRuns: number[] = [];
    const results = new Map<string, number[]>(queries.map(([label]) => [label, []]));
    for (let run = 0; run < ctx.runs; run++) {
      const floor: number[] = [];
      await serverTimeMs(ctx.baseUrl, jar.header(), "instances.mine"); // warm
      for (let i = 0; i < samples; i++) floor.push(await serverTimeMs(ctx.baseUrl, jar.header(), "instances.mine"));
      baselineRuns.push(percentile(floor, 95));
      for (const [label, input] of queries) {
        await serverTimeMs(ctx.baseUrl, jar.header(), "staff.fleet", input); // warm
        const times: number[] = [];
        for (let i = 0; i < samples; i++) times.push(await serverTimeMs(ctx.baseUrl, jar.header(), "staff.fleet", input));
        results.get(label)!.push(percentile(times, 95));
      }
      ctx.log(`run ${run + 1} (p95): ${queries.map(([label]) => `${label} ${results.get(label)!.at(-1)!.toFixed(1)} ms`).join(", ")}`);
    }
    return queries.map(([label]): Figure => {
      const runs = results.get(label)!;
      return {
        scenario: this.name,
        figure: `${label}, ${count} instances: p95 server time`,
        unit: "ms",
        runs,
        baseline: { label: "instances.mine, p95 server time", runs: baselineRuns },
        goal: `≤ ${GOAL_MS} ms`,
        pass: medianOf(runs) <= GOAL_MS,
      };
    });
  },
};
