// `npm run db:seed -- --instances 10000 [--seed 42]`: adds a realistic fleet (scripts/lib/seed-fleet.ts) to
// DATABASE_URL's database, or to the dev embedded Postgres (the running one under `npm run dev`, or started
// for the occasion). Run it again to add more: every run's names carry their own tag.
import path from "node:path";
import { parseArgs } from "node:util";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { applyMigrations } from "@/db/migrate";
import * as schema from "@/db/schema";
import { runningEmbeddedPostgresUrl, startEmbeddedPostgres, type EmbeddedDatabase } from "./lib/embedded-postgres";
import { seedFleet } from "./lib/seed-fleet";

async function main() {
  const { values } = parseArgs({ options: { instances: { type: "string", default: "1000" }, seed: { type: "string", default: "42" } } });
  const count = Number(values.instances);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new Error("--instances must be a whole number from 1 to 1000000");

  let embedded: EmbeddedDatabase | null = null;
  let url = process.env.DATABASE_URL;
  const stateDir = path.resolve(process.env.LYCEUM_STATE_DIR ?? ".lyceum");
  if (!url) {
    url = runningEmbeddedPostgresUrl(path.join(stateDir, "postgres"), "lyceum") ?? undefined;
    if (!url) {
      embedded = await startEmbeddedPostgres(path.join(stateDir, "postgres"), "lyceum");
      url = embedded.url;
    }
  }
  const client = postgres(url, { max: 4, onnotice: () => {} });
  try {
    await applyMigrations(url);
    const startedAt = Date.now();
    const result = await seedFleet(drizzle(client, { schema }), { instances: count, seed: Number(values.seed) });
    console.log(
      `Seeded ${result.instances} instances (tag ${result.tag}) for ${result.owners} owners: ${result.events} events, ` +
        `${result.operations} operations, ${result.subscriptions} subscriptions, in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`,
    );
  } finally {
    await client.end({ timeout: 5 });
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
