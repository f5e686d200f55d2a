// Fault injection for tests and the e2e server: a row in fault_injections makes a named step fail or hang,
// before or after its work. Honoured only when LYCEUM_ENABLE_FAULT_INJECTION=1; production never reads the table.
import { sql } from "drizzle-orm";
import type { FaultInjection } from "@/db/schema";
import { PermanentStepError } from "./errors";
import type { PipelineStep, StepContext } from "./types";

export async function runStepWithFaults(step: PipelineStep, ctx: StepContext): Promise<string> {
  if (!ctx.env.LYCEUM_ENABLE_FAULT_INJECTION) return step.run(ctx);
  await injectFault(step, ctx, "before");
  const result = await step.run(ctx);
  await injectFault(step, ctx, "after");
  return result;
}

async function injectFault(step: PipelineStep, ctx: StepContext, phase: FaultInjection["phase"]) {
  const fault = await claimFault(ctx, step.name, phase);
  if (!fault) return;
  await ctx.log(`Injected fault: ${fault.action === "hang" ? "hanging" : `failing with "${fault.message}"`} ${phase} the step's work.`, "warn");
  if (fault.action === "hang") {
    await new Promise((_, reject) => {
      if (ctx.signal.aborted) reject(ctx.signal.reason);
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
    });
  }
  throw fault.isRetryable ? new Error(fault.message) : new PermanentStepError(fault.message);
}

/** Takes one hit of the oldest matching fault, atomically (two workers never both take the last hit). */
async function claimFault(ctx: StepContext, step: string, phase: FaultInjection["phase"]) {
  const rows = await ctx.db.execute<{ action: FaultInjection["action"]; message: string; is_retryable: boolean }>(sql`
    update fault_injections set remaining_hits = remaining_hits - 1, last_hit_at = now()
    where id = (
      select id from fault_injections
      where step = ${step} and phase = ${phase} and remaining_hits > 0
        and (instance_id is null or instance_id = ${ctx.instance.id})
        and (operation_kind is null or operation_kind = ${ctx.operation.kind})
      order by created_at
      limit 1
      for update skip locked
    )
    returning action, message, is_retryable`);
  const row = rows[0];
  return row ? { action: row.action, message: row.message, isRetryable: row.is_retryable } : null;
}
