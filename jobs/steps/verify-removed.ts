// The last teardown step: nothing the ledger knows may be left, or the instance is not really gone.
import type { PipelineStep } from "../pipeline/types";

export const verifyNothingLeft: PipelineStep = {
  name: "verify_removed",
  title: "Check that no resource is left",
  async run(ctx) {
    const left = await ctx.ledger.list();
    if (left.length > 0) {
      const list = left.map((entry) => `${entry.kind} ${entry.externalId}`).join(", ");
      throw new Error(`still recorded as live, and no teardown step removes it: ${list}`);
    }
    return "every recorded resource is removed";
  },
};
