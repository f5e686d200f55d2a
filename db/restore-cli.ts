// `npm run db:restore <file>`: replaces DATABASE_URL's contents with a `npm run db:backup` dump, in one transaction.
// Stop the web and worker processes first: they would write between the drop and the reload.
import { env } from "@/server/env";
import { restorePortalDatabase } from "./portal-dump";

const file = process.argv[2];
if (!file) {
  console.error("Usage: npm run db:restore <file made by npm run db:backup>");
  process.exit(2);
}
restorePortalDatabase(env().DATABASE_URL, file)
  .then(() => console.log(`Restored the portal database from ${file}.`))
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
