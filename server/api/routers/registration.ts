// The registration wizard: each step saves the draft (the instance row) on the server, re-validated with the
// same zod schemas the forms use.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { brandingInput } from "@/server/branding/branding";
import { startCheckout } from "@/server/billing/checkout";
import { PLAN_IDS } from "@/server/billing/plans";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptSecret } from "@/server/crypto/secrets";
import { domainStepInput } from "@/server/domains/domain-step";
import { env } from "@/server/env";
import {
  checkDomainNow,
  resendContactVerification,
  saveBrandingStep,
  saveDomainStep,
  saveEmailStep,
  saveInstanceStep,
  savePlanStep,
  submitRegistration,
} from "@/server/instances/draft";
import { draftView } from "@/server/instances/draft-view";
import { instanceProfileInput } from "@/server/instances/profile";
import { emailSettingsInput } from "@/server/mail/smtp-settings";
import { testSmtpConnection } from "@/server/mail/smtp-test";
import { clientAddressOf } from "@/server/net/client-address";
import { consumeRateLimit } from "@/server/rate-limit/consume";
import { createTRPCRouter, memberProcedure, protectedProcedure } from "../trpc";

/** A step's values, beside the instance's `id` that memberProcedure reads. */
const stepValues = <T extends z.ZodType>(schema: T) => z.object({ values: schema });

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TRPCError({ code: "BAD_REQUEST", message: parsed.error.issues[0]?.message ?? "Invalid input.", cause: parsed.error });
  return parsed.data;
}

const SMTP_TESTS_PER_USER = { limit: 5, windowMs: 60_000 };

export const registrationRouter = createTRPCRouter({
  draft: memberProcedure("admin").query(({ ctx }) => draftView(ctx.instance, ctx.user)),

  /**
   * The first step: saves the draft `id` (loaded through the access path by saveInstanceStep), or makes one, once
   * per `creationKey` (the wizard session's key).
   */
  saveInstance: protectedProcedure
    .input(z.object({ id: z.uuid().optional(), creationKey: z.uuid().optional(), values: instanceProfileInput }))
    .mutation(async ({ ctx, input }) => ({
      id: (await saveInstanceStep(ctx.user, { id: input.id, creationKey: input.creationKey }, input.values, { clientIp: clientAddressOf(ctx.headers) })).id,
    })),

  resendContactVerification: memberProcedure("admin").mutation(({ ctx }) => resendContactVerification(ctx.user, ctx.instance.id)),

  saveDomain: memberProcedure("admin")
    .input(stepValues(z.object({ subdomain: z.string().max(200), customDomain: z.string().max(300).optional() })))
    .mutation(async ({ ctx, input }) => {
      const values = parseOrThrow(domainStepInput(env().LYCEUM_BASE_DOMAIN), input.values);
      return { id: (await saveDomainStep(ctx.user, ctx.instance.id, values)).id };
    }),

  checkDomain: memberProcedure("admin").mutation(({ ctx }) => checkDomainNow(ctx.user, ctx.instance.id)),

  saveBranding: memberProcedure("admin")
    .input(stepValues(brandingInput))
    .mutation(async ({ ctx, input }) => ({ id: (await saveBrandingStep(ctx.user, ctx.instance.id, input.values)).id })),

  saveEmail: memberProcedure("admin")
    .input(stepValues(emailSettingsInput))
    .mutation(async ({ ctx, input }) => ({ id: (await saveEmailStep(ctx.user, ctx.instance.id, input.values)).id })),

  /**
   * Connects to the client's own SMTP server now and sends a test message. Unlike other side effects this
   * runs in the request: the client is waiting for the answer, and it changes nothing of ours.
   */
  testEmail: memberProcedure("admin").input(stepValues(emailSettingsInput)).mutation(async ({ ctx: { user, instance }, input }) => {
    const { settings, password } = input.values;
    if (settings.relay !== "own") {
      return { isOk: true as const, message: "The platform relay is managed by Lyceum: nothing to test." };
    }
    // Each test connects out from our network and sends a message: a few a minute per user is plenty.
    const verdict = await consumeRateLimit({ key: `smtp-test:${user.id}`, ...SMTP_TESTS_PER_USER });
    if (!verdict.isAllowed) {
      throw new TRPCError({
        code: "TOO_MANY_REQUESTS",
        message: `Too many connection tests (${SMTP_TESTS_PER_USER.limit} a minute): try again in ${verdict.retryAfterSeconds} s.`,
      });
    }
    // The saved password is used only for the server and user it was saved with (never sent to another host).
    const saved = instance.emailSettings;
    const savedPassword =
      saved?.relay === "own" && saved.smtp.host === settings.smtp.host && saved.smtp.user === settings.smtp.user && instance.smtpPasswordSealed
        ? decryptSecret(instance.smtpPasswordSealed, sealedCells.smtpPassword(instance.id))
        : null;
    return testSmtpConnection({
      smtp: settings.smtp,
      password: password || savedPassword,
      from: { name: settings.senderName, address: settings.senderAddress },
      to: user.email,
    });
  }),

  savePlan: memberProcedure("admin")
    .input(stepValues(z.object({ plan: z.enum(PLAN_IDS, { error: "Choose one of the plans." }) })))
    .mutation(async ({ ctx, input }) => ({ id: (await savePlanStep(ctx.user, ctx.instance.id, input.values.plan)).id })),

  /** Review & pay: the draft is re-checked whole, becomes awaiting payment, and the checkout starts. */
  submit: memberProcedure("admin").mutation(async ({ ctx }) => startCheckout(ctx.user, await submitRegistration(ctx.user, ctx.instance.id))),
});
