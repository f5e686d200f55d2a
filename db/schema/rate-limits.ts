// Recent attempts at rate-limited actions (a user's SMTP connection tests), shared by every web process.
// A key keeps at most its limit of rows: older ones are deleted when the key is next used.
import { bigserial, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const rateLimitHits = pgTable(
  "rate_limit_hits",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** What is limited and for whom, e.g. "smtp-test:<user id>". */
    key: text("key").notNull(),
    hitAt: timestamp("hit_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("rate_limit_hits_key_hit_at_idx").on(t.key, t.hitAt)],
);
