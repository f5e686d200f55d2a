// Runs one pipeline step outside the runner: the same context the runner builds, for tests of a single step.
import { db } from "@/db";
import { instanceOperations, type Instance } from "@/db/schema";
import type { StepContext } from "@/jobs/runner/types";
import { env } from "@/server/env";
import type { Infrastructure } from "@/server/infra";
import { appendInstanceEvent } from "@/server/instances/events";
import { ledgerFor } from "@/server/instances/ledger";

/** The operation row is written finished, so several steps (and instances) can run side by side. */
export async function stepContext(instance: Instance, infra: Partial<Infrastructure>): Promise<StepContext> {
  const [operation] = await db.insert(instanceOperations).values({ instanceId: instance.id, kind: "provision", status: "succeeded", finishedAt: new Date() }).returning();
  return {
    instance,
    operation: operation!,
    signal: new AbortController().signal,
    ledger: ledgerFor(db, instance.id),
    infra: infra as Infrastructure,
    env: env(),
    db,
    log: async (message, level) => {
      await appendInstanceEvent(db, { instanceId: instance.id, operationId: operation!.id, kind: "log", level: level ?? "info", message });
    },
  };
}
