// Fleet rollouts by staff: start one (which instances, how many at a time, the failure threshold, now or in each
// instance's window), or stop one. The waves themselves are run by the sweep (jobs/upgrades/advance-rollouts.ts);
// starting a rollout writes its row and asks the sweep to run at once.
import { z } from "zod";
import { enqueueJob } from "@/server/queue/enqueue";
import { releaseLabel } from "@/server/releases/catalogue";
import { rolloutInputSchema, RolloutRefusedError, startRollout, stopRollout, waveSizeOf } from "@/server/upgrades/rollouts";
import { defineStaffAction, refuse } from "./staff-action";

async function refusingRolloutErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof RolloutRefusedError) refuse(error.message);
    throw error;
  }
}

export const startUpgradeRollout = defineStaffAction({
  name: "start_upgrade_rollout",
  title: "Upgrade the fleet in waves",
  input: z.object({ rollout: rolloutInputSchema }),

  async locate(_tx, { rollout }) {
    return { instanceId: null, target: { toReleaseId: rollout.toReleaseId, fromReleaseIds: rollout.fromReleaseIds, plans: rollout.plans } };
  },

  async perform({ tx, actor, input }) {
    const { rollout, target } = await refusingRolloutErrors(() => startRollout(tx, input.rollout, actor));
    await enqueueJob(tx, "advance_upgrade_rollouts", {}, { jobKey: "advance_upgrade_rollouts" });
    return {
      summary:
        `Started rollout ${rollout.id} to ${releaseLabel(target)}: ${rollout.fleetSize} instance(s), ${waveSizeOf(rollout)} per wave, ` +
        `${rollout.timing === "now" ? "upgraded at once" : "each in its upgrade window"}, stopping when more than ${rollout.failureThresholdPercent}% of a wave fails.`,
    };
  },
});

export const stopUpgradeRollout = defineStaffAction({
  name: "stop_upgrade_rollout",
  title: "Stop a fleet rollout",
  input: z.object({ rolloutId: z.uuid("That is not a rollout id.") }),

  async locate(_tx, { rolloutId }) {
    return { instanceId: null, target: { rolloutId } };
  },

  async perform({ tx, input, reason }) {
    await refusingRolloutErrors(() => stopRollout(tx, input.rolloutId, `Stopped by staff: ${reason}`));
    return { summary: `Stopped rollout ${input.rolloutId}: upgrades already under way finish, no other starts.` };
  },
});
