// Changing a running instance's branding, pages and email: edits are saved by the registration procedures
// (they keep a live instance's edits as a draft); these compare, apply and cancel.
import { z } from "zod";
import { db } from "@/db";
import { applySettings, cancelSettingsChange, settingsComparison } from "@/server/instances/reconfigure";
import { upgradeWindowSchema } from "@/server/upgrades/window";
import { saveUpgradeWindow, upgradeWindowView } from "@/server/upgrades/window-settings";
import { createTRPCRouter, memberProcedure } from "../trpc";

export const settingsRouter = createTRPCRouter({
  comparison: memberProcedure("admin").query(({ ctx }) => settingsComparison(ctx.instance)),
  applyChanges: memberProcedure("admin").mutation(({ ctx }) => applySettings(ctx.user, ctx.instance.id)),
  cancelChange: memberProcedure("admin").mutation(({ ctx }) => cancelSettingsChange(ctx.user, ctx.instance.id)),
  /** The weekly window (UTC) in which Lyceum may start upgrades the owner did not ask for; null: the default. */
  upgradeWindow: memberProcedure("admin").query(({ ctx }) => upgradeWindowView(ctx.instance)),
  setUpgradeWindow: memberProcedure("admin")
    .input(z.object({ window: upgradeWindowSchema.nullable() }))
    .mutation(({ ctx, input }) => saveUpgradeWindow(db, ctx.instance.id, input.window)),
});
