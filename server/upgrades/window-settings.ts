// The owner's choice of upgrade window: what the settings page shows and what saving it writes.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances, type Instance } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import { chosenUpgradeWindow, DEFAULT_UPGRADE_WINDOW, describeUpgradeWindow, windowColumns, type UpgradeWindow } from "./window";

/** In UTC; the page shows it in the owner's zone. */
export function upgradeWindowView(instance: Pick<Instance, "upgradeWindowDay" | "upgradeWindowStartHour" | "upgradeWindowHours">) {
  return { chosen: chosenUpgradeWindow(instance), default: DEFAULT_UPGRADE_WINDOW };
}

/** Saves the window (null: back to the default) and says so in the instance's log. */
export async function saveUpgradeWindow(q: Queryable, instanceId: string, window: UpgradeWindow | null) {
  await q.update(instances).set({ ...windowColumns(window), updatedAt: new Date() }).where(eq(instances.id, instanceId));
  await appendInstanceEvent(q, {
    instanceId,
    kind: "log",
    message: window
      ? `Upgrade window set to ${describeUpgradeWindow(window)} UTC: upgrades Lyceum starts (fleet waves, end-of-life moves) start only then.`
      : `Upgrade window reset to the default, ${describeUpgradeWindow(DEFAULT_UPGRADE_WINDOW)} UTC.`,
  });
  return { chosen: window };
}
