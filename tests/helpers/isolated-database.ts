// For test files that run a real worker: a database of their own, so the worker only sees their jobs.
// Call it (top-level await) before anything in the file touches the database.
import { randomUUID } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { applyMigrations } from "@/db/migrate";

export async function isolatedDatabase(): Promise<string> {
  const serverUrl = inject("adminDatabaseUrl");
  const name = `${inject("databasePrefix")}_${randomUUID().slice(0, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await applyMigrations(url.toString());
  process.env.DATABASE_URL = url.toString();
  return url.toString();
}
