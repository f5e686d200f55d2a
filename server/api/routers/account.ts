import { TRPCError } from "@trpc/server";
import { sendAccountVerification } from "@/server/accounts/verification";
import { clientAddressOf } from "@/server/net/client-address";
import { ABUSE_LIMITS, abuseRules, enforceRateLimits } from "@/server/rate-limit/abuse-limits";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const accountRouter = createTRPCRouter({
  resendVerification: protectedProcedure.mutation(async ({ ctx }) => {
    if (ctx.user.emailVerified) throw new TRPCError({ code: "BAD_REQUEST", message: "Your email address is already confirmed." });
    const limits = ABUSE_LIMITS.verificationResends;
    await enforceRateLimits(
      "confirmation emails",
      abuseRules("verification-resends", [
        ["account", ctx.user.id, limits.perAccount],
        ["address", clientAddressOf(ctx.headers), limits.perAddress],
      ]),
    );
    await ctx.db.transaction((tx) => sendAccountVerification(tx, ctx.user));
    return { sentTo: ctx.user.email };
  }),
});
