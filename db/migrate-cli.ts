// `npm run db:migrate`: apply pending migrations to DATABASE_URL.
import { applyMigrations } from "./migrate";
import { env } from "@/server/env";

applyMigrations(env().DATABASE_URL)
  .then(() => console.log("Migrations applied."))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
