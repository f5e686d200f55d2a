// Ensures the staff account from LYCEUM_STAFF_EMAIL / LYCEUM_STAFF_PASSWORD exists.
import { closeDb } from "@/db";
import { ensureStaffUser } from "@/server/accounts/users";
import { env } from "@/server/env";

const config = env();
if (!config.LYCEUM_STAFF_PASSWORD) {
  console.error("LYCEUM_STAFF_PASSWORD is not set: nothing to seed");
  process.exit(1);
}
ensureStaffUser(config.LYCEUM_STAFF_EMAIL, config.LYCEUM_STAFF_PASSWORD)
  .then(() => closeDb())
  .catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
