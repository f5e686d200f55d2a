// Changing a running instance's branding, pages and email: edits are saved by the registration procedures
// (they keep a live instance's edits as a draft); these compare, apply and cancel.
import { TRPCError } from "@trpc/server";
import { OperationNotCancellableError } from "@/server/instances/operation-cancelling";
import { applySettings, cancelSettingsChange, settingsComparison } from "@/server/instances/reconfigure";
import { instanceIdInput } from "@/server/instances/input";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const settingsRouter = createTRPCRouter({
  comparison: protectedProcedure.input(instanceIdInput).query(({ ctx, input }) => settingsComparison(ctx.user, input.id)),
  applyChanges: protectedProcedure.input(instanceIdInput).mutation(({ ctx, input }) => applySettings(ctx.user, input.id)),
  cancelChange: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    try {
      return await cancelSettingsChange(ctx.user, input.id);
    } catch (error) {
      if (error instanceof OperationNotCancellableError) throw new TRPCError({ code: "FORBIDDEN", message: error.message, cause: error });
      throw error;
    }
  }),
});
