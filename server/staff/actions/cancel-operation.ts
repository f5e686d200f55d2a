// Cancel the running operation: sets cancel_requested_at; the pipeline runner sees it within a second (or
// when the job next starts) and ends the operation as cancelled.
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { instanceOperations } from "@/db/schema";
import { operationJobKey } from "@/server/instances/operations";
import { defineStaffAction, refuse } from "./staff-action";

export const cancelOperation = defineStaffAction({
  name: "cancel_operation",
  title: "Cancel the running operation",
  input: z.object({ operationId: z.uuid("That is not an operation id.") }),

  async locate(tx, { operationId }) {
    const [operation] = await tx
      .select({ instanceId: instanceOperations.instanceId })
      .from(instanceOperations)
      .where(eq(instanceOperations.id, operationId));
    return { instanceId: operation?.instanceId ?? null, target: { operationId } };
  },

  async perform({ tx, input, instance }) {
    const [operation] = await tx
      .select()
      .from(instanceOperations)
      .where(eq(instanceOperations.id, input.operationId))
      .for("update");
    if (!operation || !instance) refuse("There is no such operation.");
    if (operation.status !== "queued" && operation.status !== "running") {
      refuse(`That ${operation.kind} has already ended (${operation.status}): there is nothing to cancel.`);
    }
    if (operation.cancelRequestedAt) {
      refuse(`Cancellation of that ${operation.kind} was already requested at ${operation.cancelRequestedAt.toISOString()}.`);
    }
    await tx.update(instanceOperations).set({ cancelRequestedAt: new Date() }).where(eq(instanceOperations.id, operation.id));
    // A job waiting out a retry back-off would only see the request at its next attempt: bring it forward.
    await tx.execute(sql`
      select id from graphile_worker.reschedule_jobs(
        array(select id from graphile_worker.jobs where key = ${operationJobKey(operation.id)} and locked_at is null),
        run_at => now())`);
    // Billing is a desired state (server/billing/desired-state.ts): what it started comes back unless the subscription changes.
    const comesBack =
      operation.initiator === "billing"
        ? " Billing started it, so billing's sweep starts it again within five minutes unless the subscription changes meanwhile."
        : "";
    return {
      summary: `Requested cancellation of the ${operation.status} ${operation.kind} operation ${operation.id}.${comesBack}`,
      ownerNotice: {
        subject: `Lyceum staff stopped the ${operation.kind} of "${instance.name}"`,
        text: `Lyceum staff stopped the ${operation.kind} that was under way on your instance "${instance.name}". We will be in touch about what happens next.`,
        event: `Lyceum staff asked to cancel the ${operation.kind} in progress.`,
      },
    };
  },
});
