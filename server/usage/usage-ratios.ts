// Each measured instance's usage as a fraction of its plan's limits (1 = at the limit): what the
// lyceum_instance_usage_ratio gauge reports, from the last daily measurement.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances, instanceUsage } from "@/db/schema";
import { planById } from "@/server/billing/plans";
import { BYTES_PER_GB } from "./storage-quota";

type UsageRatio = { instanceId: string; subdomain: string; limit: "storage" | "learners" | "courses"; ratio: number };

export async function usageRatios(q: Queryable): Promise<UsageRatio[]> {
  const rows = await q
    .select({ instanceId: instances.id, subdomain: instances.subdomain, plan: instances.plan, usage: instanceUsage })
    .from(instanceUsage)
    .innerJoin(instances, eq(instances.id, instanceUsage.instanceId));
  return rows.flatMap(({ instanceId, subdomain, plan, usage }) => {
    const { limits } = planById(plan);
    const measured = [
      ["storage", usage.storageBytes, limits.storageGb * BYTES_PER_GB],
      ["learners", usage.learners, limits.learners],
      ["courses", usage.courses, limits.courses],
    ] as const;
    return measured.flatMap(([limit, used, allowed]) => (used === null ? [] : [{ instanceId, subdomain: subdomain ?? "", limit, ratio: used / allowed }]));
  });
}
