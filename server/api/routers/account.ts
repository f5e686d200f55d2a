import { TRPCError } from "@trpc/server";
import { sendAccountVerification } from "@/server/accounts/verification";
import { createTRPCRouter, protectedProcedure } from "../trpc";

export const accountRouter = createTRPCRouter({
  resendVerification: protectedProcedure.mutation(async ({ ctx }) => {
    if (ctx.user.emailVerified) throw new TRPCError({ code: "BAD_REQUEST", message: "Your email address is already confirmed." });
    await ctx.db.transaction((tx) => sendAccountVerification(tx, ctx.user));
    return { sentTo: ctx.user.email };
  }),
});
