// Changing a running instance's branding, pages and email: edits are saved by the registration procedures
// (they keep a live instance's edits as a draft); these compare, apply and cancel.
import { applySettings, cancelSettingsChange, settingsComparison } from "@/server/instances/reconfigure";
import { instanceIdInput } from "@/server/instances/input";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const settingsRouter = createTRPCRouter({
  comparison: protectedProcedure.input(instanceIdInput).query(({ ctx, input }) => settingsComparison(ctx.user, input.id)),
  applyChanges: protectedProcedure.input(instanceIdInput).mutation(({ ctx, input }) => applySettings(ctx.user, input.id)),
  cancelChange: protectedProcedure.input(instanceIdInput).mutation(({ ctx, input }) => cancelSettingsChange(ctx.user, input.id)),
});
