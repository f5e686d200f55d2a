// Changing a running instance's branding, pages and email: edits are saved by the registration procedures
// (they keep a live instance's edits as a draft); these compare, apply and cancel.
import { applySettings, cancelSettingsChange, settingsComparison } from "@/server/instances/reconfigure";
import { createTRPCRouter, ownerProcedure } from "../trpc";

export const settingsRouter = createTRPCRouter({
  comparison: ownerProcedure.query(({ ctx }) => settingsComparison(ctx.instance)),
  applyChanges: ownerProcedure.mutation(({ ctx }) => applySettings(ctx.user, ctx.instance.id)),
  cancelChange: ownerProcedure.mutation(({ ctx }) => cancelSettingsChange(ctx.user, ctx.instance.id)),
});
