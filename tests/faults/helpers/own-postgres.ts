// A fault file's own embedded Postgres (the code `npm run dev` uses), in a temporary folder, with every
// migration applied; DATABASE_URL points at it. `stop()` and `start()` take it down and bring it back on the same
// port and data, as an outage and a restart do; the machine's shared Postgres is never touched.
// Call it (top-level await) before anything in the file touches the database.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { applyMigrations } from "@/db/migrate";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../../scripts/lib/embedded-postgres";

type OwnPostgres = { url: string; port: number; stop(): Promise<void>; start(): Promise<void> };

export async function ownPostgres(): Promise<OwnPostgres> {
  const folder = mkdtempSync(path.join(os.tmpdir(), "lyceum-fault-pg-"));
  const dataDir = path.join(folder, "postgres");
  let server: EmbeddedDatabase | null = await startEmbeddedPostgres(dataDir, "lyceum");
  const url = server.url;
  const port = Number(new URL(url).port);
  await applyMigrations(url);
  process.env.DATABASE_URL = url;
  afterAll(async () => {
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  return {
    url,
    port,
    async stop() {
      await server?.stop();
      server = null;
    },
    async start() {
      server ??= await startEmbeddedPostgres(dataDir, "lyceum", { port });
    },
  };
}
