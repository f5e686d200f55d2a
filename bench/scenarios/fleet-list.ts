// 5. Staff fleet list with 10 000 instances: the first page, a filtered page and a search, timed at the
// portal's HTTP API (tRPC `staff.fleet`) as the staff page's server render calls it.
import { db } from "@/db";
import type { FleetQueryParams } from "@/server/staff/fleet-input";
import { seedFleet } from "../../scripts/lib/seed-fleet";
import type { Scenario } from "../lib/context";
import { medianOf, type Figure } from "../lib/report";
import { signIn } from "../lib/session";

const SAMPLES = 20;

async function timeQuery(baseUrl: string, cookie: string, input: FleetQueryParams): Promise<number> {
  const url = `${baseUrl}/api/trpc/staff.fleet?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  if (!response.ok) throw new Error(`staff.fleet ${JSON.stringify(input)} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
  return performance.now() - started;
}

export const fleetList: Scenario = {
  name: "5. staff fleet list",
  async run(ctx) {
    const count = ctx.isSmoke ? 1000 : 10_000;
    const seeded = await seedFleet(db, { instances: count, seed: 7 });
    ctx.log(`seeded ${seeded.instances} instances (tag ${seeded.tag})`);
    const jar = await signIn(ctx.baseUrl, ctx.staff.email, ctx.staff.password);
    const queries: [string, FleetQueryParams][] = [
      ["first page", {}],
      ["filtered page (running, growth plan)", { status: "running", plan: "growth" }],
      ["search (part of a subdomain)", { search: `-${Math.floor(count / 2)}-${seeded.tag}` }],
    ];
    const baselineRuns: number[] = [];
    const results = new Map<string, number[]>(queries.map(([label]) => [label, []]));
    for (let run = 0; run < ctx.runs; run++) {
      const health: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        await (await fetch(`${ctx.baseUrl}/api/health`)).arrayBuffer();
        health.push(performance.now() - started);
      }
      baselineRuns.push(medianOf(health));
      for (const [label, input] of queries) {
        await timeQuery(ctx.baseUrl, jar.header(), input); // warm
        const samples: number[] = [];
        for (let i = 0; i < SAMPLES; i++) samples.push(await timeQuery(ctx.baseUrl, jar.header(), input));
        results.get(label)!.push(medianOf(samples));
      }
      ctx.log(`run ${run + 1}: ${queries.map(([label]) => `${label} ${results.get(label)!.at(-1)!.toFixed(1)} ms`).join(", ")}`);
    }
    return queries.map(([label]): Figure => {
      const runs = results.get(label)!;
      return {
        scenario: this.name,
        figure: `${label}, ${count} instances`,
        unit: "ms",
        runs,
        baseline: { label: "GET /api/health", runs: baselineRuns },
        goal: "≤ 150 ms",
        pass: medianOf(runs) <= 150,
      };
    });
  },
};
