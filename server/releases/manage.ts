// Adding and changing releases (the audited staff actions call these inside their transaction).
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { releases, type Release } from "@/db/schema";
import { isUniqueViolation } from "@/server/instances/operations";
import { releaseLabel, ReleaseNotFoundError, type ReleaseInput } from "./catalogue";

/** A change the catalogue cannot take, said so that staff can act on it. */
export class ReleaseRefusedError extends Error {}

/** Marking a release default takes the mark from the one that had it (it becomes supported): there is always one. */
async function handOverDefault(q: Queryable, input: ReleaseInput, exceptId: string | null) {
  if (input.status !== "default") return;
  const [current] = await q.select().from(releases).where(eq(releases.status, "default"));
  if (current && current.id !== exceptId) await q.update(releases).set({ status: "supported", updatedAt: new Date() }).where(eq(releases.id, current.id));
}

export async function createRelease(q: Queryable, input: ReleaseInput): Promise<Release> {
  await handOverDefault(q, input, null);
  try {
    const [row] = await q.transaction((tx) => tx.insert(releases).values(input).returning());
    return row!;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ReleaseRefusedError(`There is already a release named "${input.name}".`);
    throw error;
  }
}

export async function updateRelease(q: Queryable, id: string, input: ReleaseInput): Promise<{ before: Release; after: Release }> {
  const [before] = await q.select().from(releases).where(eq(releases.id, id)).for("update");
  if (!before) throw new ReleaseNotFoundError();
  if (before.status === "default" && input.status !== "default") {
    throw new ReleaseRefusedError(`${releaseLabel(before)} is the default for new instances: mark another release default instead.`);
  }
  if (before.tutorVersion !== input.tutorVersion || JSON.stringify(before.pluginVersions) !== JSON.stringify(input.pluginVersions)) {
    // Deployments record the release they run: changing its versions would make that record untrue.
    const [inUse] = await q.query.deployments.findMany({ columns: { id: true }, where: (t, { eq: equals }) => equals(t.releaseId, id), limit: 1 });
    if (inUse) throw new ReleaseRefusedError(`${releaseLabel(before)} is deployed: its versions cannot change. Add a new release instead.`);
  }
  await handOverDefault(q, input, id);
  try {
    const [after] = await q.transaction((tx) => tx.update(releases).set({ ...input, updatedAt: new Date() }).where(eq(releases.id, id)).returning());
    return { before, after: after! };
  } catch (error) {
    if (isUniqueViolation(error)) throw new ReleaseRefusedError(`There is already a release named "${input.name}".`);
    throw error;
  }
}
