// `npm run db:backup [file]`: dumps DATABASE_URL (pg_dump, custom format) to `file`, by default a timestamped one here.
import { env } from "@/server/env";
import { dumpPortalDatabase } from "./portal-dump";

const file = process.argv[2] ?? `lyceum-portal-${new Date().toISOString().replace(/[:.]/g, "-")}.dump`;
dumpPortalDatabase(env().DATABASE_URL, file)
  .then(() => console.log(`Dumped the portal database to ${file}. Restore it with: npm run db:restore ${file}`))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
