// Which release a new deployment runs: an upgrade's target, else the instance's own; an instance that has none yet
// (its first deployment) is put on the default release here, so every instance records the release it runs.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances, instanceUpgrades, type Instance, type Release } from "@/db/schema";
import type { DeploymentConfig } from "@/server/deployments/config";
import { defaultRelease, releaseById } from "./catalogue";

export async function releaseForNewDeployment(q: Queryable, instance: Pick<Instance, "id" | "releaseId">, operationId: string): Promise<Release> {
  const [upgrade] = await q.select().from(instanceUpgrades).where(eq(instanceUpgrades.operationId, operationId));
  if (upgrade) {
    const target = await releaseById(q, upgrade.toReleaseId);
    if (!target) throw new Error(`the upgrade's release ${upgrade.toReleaseId} is gone`);
    return target;
  }
  const [current] = await q.select({ releaseId: instances.releaseId }).from(instances).where(eq(instances.id, instance.id));
  if (current?.releaseId) {
    const release = await releaseById(q, current.releaseId);
    if (release) return release;
  }
  const fallback = await defaultRelease(q);
  if (!fallback) throw new Error("no release is marked default: staff mark one on the Releases page before anything can be deployed");
  await q.update(instances).set({ releaseId: fallback.id }).where(eq(instances.id, instance.id));
  return fallback;
}

/** The release's part of the deployment configuration: what the server installs and migrates with. */
export function releaseDeploymentConfig(release: Release): NonNullable<DeploymentConfig["release"]> {
  return { name: release.name, tutorVersion: release.tutorVersion, pluginVersions: release.pluginVersions, migrations: release.migrations };
}
