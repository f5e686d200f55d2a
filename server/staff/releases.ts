// The staff Releases page's read model: the catalogue, and how many instances run each release.
import { and, count, isNotNull, notInArray } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances } from "@/db/schema";
import { listReleases } from "@/server/releases/catalogue";

export async function releaseCatalogueWithFleet(q: Queryable) {
  const [catalogue, counts] = await Promise.all([
    listReleases(q),
    q
      .select({ releaseId: instances.releaseId, instances: count() })
      .from(instances)
      .where(and(isNotNull(instances.releaseId), notInArray(instances.status, ["draft", "deprovisioned"])))
      .groupBy(instances.releaseId),
  ]);
  const byRelease = new Map(counts.map((row) => [row.releaseId, row.instances]));
  return catalogue.map((release) => ({ ...release, instanceCount: byRelease.get(release.id) ?? 0 }));
}

