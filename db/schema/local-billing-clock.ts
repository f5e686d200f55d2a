// The offline billing driver's clock: real time plus an offset staff can advance, so a month of billing
// (renewals, grace periods, trial ends) can be tried in a minute. One row.
import { sql } from "drizzle-orm";
import { bigint, check, integer, pgTable, timestamp } from "drizzle-orm/pg-core";

export const localBillingClock = pgTable(
  "local_billing_clock",
  {
    id: integer("id").primaryKey().default(1),
    offsetMs: bigint("offset_ms", { mode: "number" }).notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("local_billing_clock_single_row", sql`${t.id} = 1`)],
);
