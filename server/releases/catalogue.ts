// The release catalogue: reading it, the default for new instances, and the input staff edit it with.
import { asc, eq } from "drizzle-orm";
import { z } from "zod";
import type { Queryable } from "@/db";
import { releases, releaseStatus, type Release } from "@/db/schema";
import { exactVersionSchema, compareVersions } from "./versions";

/** Pip package names, as Tutor's plugins are published (`tutor-mfe`, `tutor-contrib-s3`). */
const pluginPackageSchema = z.string().trim().regex(/^tutor-[a-z0-9-]+$/, "A plugin is a pip package whose name starts with tutor-.");

const migrationSchema = z.object({
  id: z.string().trim().min(1).max(100),
  databaseSuffix: z.string().trim().regex(/^[a-z_]+$/, "A database suffix such as edxapp."),
  sql: z.string().trim().min(1).max(10_000),
});

/** What staff submit to add or change a release (app/(staff)/staff/releases). */
export const releaseInputSchema = z.object({
  name: z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9-]{1,30}$/, "A release name is a lower-case word such as redwood."),
  tutorVersion: exactVersionSchema,
  pluginVersions: z.record(pluginPackageSchema, exactVersionSchema).refine((plugins) => Object.keys(plugins).length > 0, "Pin at least one plugin (tutor-mfe, tutor-indigo, …)."),
  status: z.enum(releaseStatus.enumValues),
  migrations: z.array(migrationSchema).max(50).default([]),
  notes: z.string().trim().max(2000).default(""),
});

export type ReleaseInput = z.infer<typeof releaseInputSchema>;

export class ReleaseNotFoundError extends Error {
  constructor() {
    super("No such release.");
  }
}

export async function listReleases(q: Queryable): Promise<Release[]> {
  const rows = await q.select().from(releases).orderBy(asc(releases.createdAt));
  return rows.sort((a, b) => compareVersions(a.tutorVersion, b.tutorVersion));
}

export async function releaseById(q: Queryable, id: string): Promise<Release | null> {
  const [row] = await q.select().from(releases).where(eq(releases.id, id));
  return row ?? null;
}

export async function defaultRelease(q: Queryable): Promise<Release | null> {
  const [row] = await q.select().from(releases).where(eq(releases.status, "default"));
  return row ?? null;
}

/** How a release is named to people: "Redwood (Tutor 18.2.2)". */
export function releaseLabel(release: Pick<Release, "name" | "tutorVersion">) {
  return `${release.name.charAt(0).toUpperCase()}${release.name.slice(1)} (Tutor ${release.tutorVersion})`;
}
