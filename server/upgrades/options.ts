// What the instance page offers about releases: the one it runs, the ones it may upgrade to, and the rollback.
import type { Queryable } from "@/db";
import type { Instance } from "@/db/schema";
import { activeOperation } from "@/server/instances/operations";
import { listReleases, releaseLabel } from "@/server/releases/catalogue";
import { rollbackOfferOf, upgradeRefusal } from "./requests";

export async function releaseOptionsOf(q: Queryable, instance: Pick<Instance, "id" | "releaseId" | "status">) {
  const [catalogue, busyWith] = await Promise.all([listReleases(q), activeOperation(q, instance.id)]);
  const current = catalogue.find((release) => release.id === instance.releaseId) ?? null;
  const targets = current
    ? catalogue
        .filter((release) => upgradeRefusal(current, release, { mayPickPreview: false }) === null)
        .map((release) => ({ id: release.id, label: releaseLabel(release), status: release.status, notes: release.notes }))
    : [];
  return {
    // The page refreshes this while the instance is not running or an operation is under way (the release changes).
    isRunning: instance.status === "running",
    busyWith: busyWith?.kind ?? null,
    current: current ? { id: current.id, label: releaseLabel(current), status: current.status, notes: current.notes } : null,
    targets,
    rollback: await rollbackOfferOf(q, instance.id),
  };
}
