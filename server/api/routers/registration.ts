// The registration wizard: each step saves the draft (the instance row) on the server, re-validated with the
// same zod schemas the forms use.
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { instances } from "@/db/schema";
import { brandingInput } from "@/server/branding/branding";
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
import { instanceIdInput } from "@/server/instances/input";
import { instanceProfileInput } from "@/server/instances/profile";
import { emailSettingsInput } from "@/server/mail/smtp-settings";
import { testSmtpConnection } from "@/server/mail/smtp-test";
import { clientAddressOf } from "@/server/net/client-address";
import { consumeRateLimit } from "@/server/rate-limit/consume";
import { createTRPCRouter, protectedProcedure } from "../trpc";
import { startCheckoutFor } from "./instances";

const withId = <T extends z.ZodType>(schema: T) => z.object({ id: z.uuid("That is not an instance id."), values: schema });

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TRPCError({ code: "BAD_REQUEST", message: parsed.error.issues[0]?.message ?? "Invalid input.", cause: parsed.error });
  return parsed.data;
}

const SMTP_TESTS_PER_USER = { limit: 5, windowMs: 60_000 };

export const registrationRouter = createTRPCRouter({
  draft: protectedProcedure.input(instanceIdInput).query(async ({ ctx, input }) => {
    const instance = await ctx.db.query.instances.findFirst({ where: eq(instances.id, input.id) });
    if (!instance || instance.ownerId !== ctx.user.id) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    return draftView(instance, ctx.user);
  }),

  /** The first step: saves the draft `id`, or makes one, once per `creationKey` (the wizard session's key). */
  saveInstance: protectedProcedure
    .input(z.object({ id: z.uuid().optional(), creationKey: z.uuid().optional(), values: instanceProfileInput }))
    .mutation(async ({ ctx, input }) => ({
      id: (await saveInstanceStep(ctx.user, { id: input.id, creationKey: input.creationKey }, input.values, { clientIp: clientAddressOf(ctx.headers) })).id,
    })),

  resendContactVerification: protectedProcedure
    .input(instanceIdInput)
    .mutation(({ ctx, input }) => resendContactVerification(ctx.user, input.id)),

  saveDomain: protectedProcedure
    .input(withId(z.object({ subdomain: z.string().max(200), customDomain: z.string().max(300).optional() })))
    .mutation(async ({ ctx, input }) => {
      const values = parseOrThrow(domainStepInput(env().LYCEUM_BASE_DOMAIN), input.values);
      return { id: (await saveDomainStep(ctx.user, input.id, values)).id };
    }),

  checkDomain: protectedProcedure.input(instanceIdInput).mutation(({ ctx, input }) => checkDomainNow(ctx.user, input.id)),

  saveBranding: protectedProcedure
    .input(withId(brandingInput))
    .mutation(async ({ ctx, input }) => ({ id: (await saveBrandingStep(ctx.user, input.id, input.values)).id })),

  saveEmail: protectedProcedure
    .input(withId(emailSettingsInput))
    .mutation(async ({ ctx, input }) => ({ id: (await saveEmailStep(ctx.user, input.id, input.values)).id })),

  /**
   * Connects to the client's own SMTP server now and sends a test message. Unlike other side effects this
   * runs in the request: the client is waiting for the answer, and it changes nothing of ours.
   */
  testEmail: protectedProcedure.input(withId(emailSettingsInput)).mutation(async ({ ctx, input }) => {
    const instance = await ctx.db.query.instances.findFirst({ where: eq(instances.id, input.id) });
    if (!instance || instance.ownerId !== ctx.user.id) throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
    const { settings, password } = input.values;
    if (settings.relay !== "own") {
      return { isOk: true as const, message: "The platform relay is managed by Lyceum: nothing to test." };
    }
    // Each test connects out from our network and sends a message: a few a minute per user is plenty.
    const verdict = await consumeRateLimit({ key: `smtp-test:${ctx.user.id}`, ...SMTP_TESTS_PER_USER });
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
      to: ctx.user.email,
    });
  }),

  savePlan: protectedProcedure
    .input(withId(z.object({ plan: z.enum(PLAN_IDS, { error: "Choose one of the plans." }) })))
    .mutation(async ({ ctx, input }) => ({ id: (await savePlanStep(ctx.user, input.id, input.values.plan)).id })),

  /** Review & pay: the draft is re-checked whole, becomes awaiting payment, and the checkout starts. */
  submit: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    return startCheckoutFor(ctx.user, await submitRegistration(ctx.user, input.id));
  }),
});
