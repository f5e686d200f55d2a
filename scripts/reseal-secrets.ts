// `npm run db:reseal-secrets`: re-seals secrets written before they were bound to their
// database cell (server/crypto/reseal.ts). Run once after upgrading; running it again changes nothing.
import { closeDb, db } from "@/db";
import { resealLegacySecrets } from "@/server/crypto/reseal";

resealLegacySecrets(db)
  .then(async (counts) => {
    for (const [column, count] of Object.entries(counts)) console.log(`${column}: ${count} re-sealed`);
    await closeDb();
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
