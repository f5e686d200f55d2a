// Applies our drizzle migrations and graphile-worker's own schema, once, even with several processes starting.
import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { Logger, runMigrations } from "graphile-worker";
import postgres from "postgres";

const MIGRATION_LOCK_KEY = 4_242_001;
const migrationsFolder = path.join(process.cwd(), "db", "migrations");

export async function applyMigrations(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migrate(drizzle(sql), { migrationsFolder });
      await runMigrations({ connectionString: databaseUrl, logger: silentLogger() });
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function silentLogger() {
  // graphile-worker logs each migration at info level; start-up output stays readable without it.
  return new Logger(() => (level: string, message: string) => {
    if (level === "error" || level === "warning") console.error(`[graphile-worker] ${message}`);
  });
}
