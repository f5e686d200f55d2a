import { TRPCError } from "@trpc/server";
import { z } from "zod";
import {
  confirmTwoFactorEnrolment,
  disableTwoFactor,
  regenerateRecoveryCodes,
  startTwoFactorEnrolment,
  TwoFactorError,
} from "@/server/accounts/two-factor/enrolment";
import { qrCodeSvg } from "@/server/accounts/two-factor/qr-code";
import { unusedRecoveryCodeCount } from "@/server/accounts/two-factor/recovery-codes";
import { sendAccountVerification } from "@/server/accounts/verification";
import { clientAddressOf } from "@/server/net/client-address";
import { ABUSE_LIMITS, abuseRules, enforceRateLimits } from "@/server/rate-limit/abuse-limits";
import { createTRPCRouter, protectedProcedure } from "../trpc";

const codeInput = z.string().trim().min(1, "Enter the code from your app.").max(40, "That is not a code.");

/** A refusal the page shows under the form (wrong code, nothing to confirm) as a 400 with its own words. */
async function answered<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof TwoFactorError) throw new TRPCError({ code: "BAD_REQUEST", message: error.message });
    throw error;
  }
}

const twoFactorRouter = createTRPCRouter({
  status: protectedProcedure.query(async ({ ctx }) => ({
    isOn: ctx.user.twoFactorEnabledAt !== null,
    enabledAt: ctx.user.twoFactorEnabledAt,
    unusedRecoveryCodes: ctx.user.twoFactorEnabledAt ? await unusedRecoveryCodeCount(ctx.db, ctx.user.id) : 0,
  })),
  /** A new secret to scan; two-factor stays off until `confirm` gets a code made from it. */
  start: protectedProcedure.mutation(({ ctx }) =>
    answered(async () => {
      const { secret, otpauthUri } = await startTwoFactorEnrolment(ctx.user);
      return { secret, otpauthUri, qrCodeSvg: qrCodeSvg(otpauthUri) };
    }),
  ),
  confirm: protectedProcedure
    .input(z.object({ code: codeInput }))
    .mutation(({ ctx, input }) => answered(async () => ({ recoveryCodes: await confirmTwoFactorEnrolment(ctx.user.id, input.code) }))),
  disable: protectedProcedure
    .input(z.object({ password: z.string().min(1, "Enter your password.").max(200), code: codeInput }))
    .mutation(({ ctx, input }) => answered(() => disableTwoFactor(ctx.user, input))),
  regenerateRecoveryCodes: protectedProcedure
    .input(z.object({ code: codeInput }))
    .mutation(({ ctx, input }) => answered(async () => ({ recoveryCodes: await regenerateRecoveryCodes(ctx.user.id, input.code) }))),
});

export const accountRouter = createTRPCRouter({
  twoFactor: twoFactorRouter,
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
