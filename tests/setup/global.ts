// Once per `vitest run`: a fresh database with every migration applied, on DATABASE_URL's server when set,
// else on an embedded Postgres in a temporary folder. Tests receive its URL through `inject`.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../db/migrate";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../../scripts/lib/embedded-postgres";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    /** Databases a test file makes for itself start with this, so teardown can drop them. */
    databasePrefix: string;
  }
}

export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | null = null;
  let tempDir: string | null = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    tempDir = mkdtempSync(path.join(os.tmpdir(), "lyceum-test-pg-"));
    embedded = await startEmbeddedPostgres(path.join(tempDir, "postgres"), "postgres");
    serverUrl = embedded.adminUrl;
  }
  const prefix = `lyceum_test_${Date.now()}_${process.pid}`;
  const name = `${prefix}_main`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  project.provide("databaseUrl", url.toString());
  project.provide("adminDatabaseUrl", serverUrl);
  project.provide("databasePrefix", prefix);

  return async () => {
    const made = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${prefix}%`}`;
    for (const { datname } of made) await admin.unsafe(`drop database if exists "${datname}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
    await embedded?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
}
