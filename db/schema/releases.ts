// The Open edX releases Lyceum can deploy: each pins Tutor and every Tutor plugin to an exact version, so two
// deployments of one release run the same code. Staff manage them (app/(staff)/staff/releases).
import { sql } from "drizzle-orm";
import { jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/**
 * preview: staff may deploy it, owners cannot pick it; default: what new instances get (one at a time);
 * supported: owners may upgrade to it; end_of_life: nothing new goes onto it, its instances are to move off.
 */
export const releaseStatus = pgEnum("release_status", ["preview", "default", "supported", "end_of_life"]);

/**
 * A schema change the release makes to the instance's databases. On a VM Tutor's own migrations (`tutor local do
 * init`) make them; the local site stand-in runs this SQL in its migrations boot phase, as the `migrate` user, in the
 * database of this suffix (server/instances/openedx-services.ts). Written to run twice without harm.
 */
export type ReleaseMigration = { id: string; databaseSuffix: string; sql: string };

export const releases = pgTable(
  "releases",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Open edX's name for it, lower-case: quince, redwood, … */
    name: text("name").notNull(),
    /** Exact (`17.0.6`), never a range: pip installs `tutor==<this>`. */
    tutorVersion: text("tutor_version").notNull(),
    /** Each Tutor plugin's pip package and its exact version (`{"tutor-mfe": "17.0.1"}`). */
    pluginVersions: jsonb("plugin_versions").$type<Record<string, string>>().notNull(),
    status: releaseStatus("status").notNull().default("preview"),
    migrations: jsonb("migrations").$type<ReleaseMigration[]>().notNull().default([]),
    notes: text("notes").notNull().default(""),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("releases_name_unique").on(t.name),
    // New instances get the default: there is exactly one (or, before the first is made, none).
    uniqueIndex("releases_one_default").on(t.status).where(sql`${t.status} = 'default'`),
  ],
);

export type Release = typeof releases.$inferSelect;
export type ReleaseStatus = (typeof releaseStatus.enumValues)[number];
