// A staff action as a tRPC mutation: its input plus the required reason, run (and audited) by runStaffAction;
// a refusal is a PRECONDITION_FAILED error carrying the reason.
import { TRPCError } from "@trpc/server";
import type { z } from "zod";
import { actionInputSchema, runStaffAction, type StaffAction } from "@/server/staff/actions/staff-action";
import { staffProcedure } from "./trpc";

export function staffActionProcedure<S extends z.ZodObject>(action: StaffAction<S>) {
  return staffProcedure
    .meta({ staffAction: action.name })
    .input(actionInputSchema(action))
    .mutation(async ({ ctx, input }) => {
      const result = await runStaffAction(action, ctx.user, input as Parameters<typeof runStaffAction<S>>[2]);
      if (result.outcome === "refused") throw new TRPCError({ code: "PRECONDITION_FAILED", message: result.message });
      return result;
    });
}
