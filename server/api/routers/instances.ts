import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { canSeeInstance } from "@/server/auth/roles";
import { billingDriver } from "@/server/billing";
import { planById } from "@/server/billing/plans";
import { trialDaysFor } from "@/server/billing/trials";
import { db } from "@/db";
import { env } from "@/server/env";
import { streamInstanceEvents } from "@/server/events/stream";
import { BackupNotFoundError, requestBackup, requestRestore } from "@/server/backups/requests";
import { backupListOf } from "@/server/backups/store";
import { siteUrlFor } from "@/server/instances/hostnames";
import { InstanceActionRefusedError, cancelOperation, requestRedeploy, retryOperation } from "@/server/instances/actions";
import { publicInstance } from "@/server/instances/draft-view";
import { instanceIdInput } from "@/server/instances/input";
import { IllegalTransitionError } from "@/server/instances/lifecycle";
import { OperationNotCancellableError } from "@/server/instances/operation-cancelling";
import { OperationInProgressError } from "@/server/instances/operations";
import { activeDeploymentOf, instanceById, instanceEventLog, instanceLedger, instancesOwnedBy } from "@/server/instances/queries";
import { isSubdomainAvailable } from "@/server/instances/registration";
import { subdomainSchema } from "@/server/instances/subdomain";
import { createTRPCRouter, protectedProcedure } from "../trpc";
import type { Instance, User } from "@/db/schema";

/** Only a verified account pays: the address receives the invoices and the instance's notices. */
export function assertCanPay(user: User) {
  if (!user.emailVerified) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Confirm your email address before paying: open the link we emailed you, or send a new one." });
  }
}

/** Where the owner pays for an instance that waits for payment: Stripe Checkout or the offline page. */
export async function startCheckoutFor(owner: User, instance: Instance) {
  assertCanPay(owner);
  if (instance.status !== "awaiting_payment") {
    throw new TRPCError({ code: "BAD_REQUEST", message: "This instance is already paid for." });
  }
  const { publicUrl } = env();
  const plan = planById(instance.plan);
  return billingDriver().createCheckout({
    instance,
    owner,
    plan,
    trialDays: await trialDaysFor(db, owner, plan),
    successUrl: `${publicUrl}/checkout/${instance.id}/success`,
    cancelUrl: `${publicUrl}/checkout/${instance.id}/cancelled`,
  });
}

/** The instance if this user may see it; NOT_FOUND otherwise, so other clients learn nothing of it. */
async function visibleInstance(user: User, id: string) {
  const instance = await instanceById(id);
  if (!instance || !canSeeInstance(user, instance)) {
    throw new TRPCError({ code: "NOT_FOUND", message: "No such instance." });
  }
  return instance;
}

/** The service's refusals become messages the page can show as they are. */
async function asUserError<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InstanceActionRefusedError || error instanceof IllegalTransitionError) {
      throw new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
    }
    if (error instanceof OperationNotCancellableError) throw new TRPCError({ code: "FORBIDDEN", message: error.message, cause: error });
    if (error instanceof BackupNotFoundError) throw new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
    if (error instanceof OperationInProgressError) throw new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
    throw error;
  }
}

export const instancesRouter = createTRPCRouter({
  mine: protectedProcedure.query(async ({ ctx }) => (await instancesOwnedBy(ctx.user.id)).map(publicInstance)),

  byId: protectedProcedure.input(instanceIdInput).query(async ({ ctx, input }) => {
    const instance = await visibleInstance(ctx.user, input.id);
    const [deployment, events, resources] = await Promise.all([
      activeDeploymentOf(instance),
      instanceEventLog(instance.id),
      instanceLedger(instance.id),
    ]);
    return {
      instance: publicInstance(instance),
      siteUrl: ["running", "suspended"].includes(instance.status)
        ? siteUrlFor(instance, env(), deployment?.address ?? null)
        : null,
      events,
      resources,
    };
  }),

  /** What exists for the instance on the clusters (names, never secrets); the page refreshes it as steps finish. */
  resources: protectedProcedure.input(instanceIdInput).query(async ({ ctx, input }) => {
    const instance = await visibleInstance(ctx.user, input.id);
    return instanceLedger(instance.id);
  }),

  /** Owner or staff: resume the failed operation at the step that failed. */
  retry: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    await visibleInstance(ctx.user, input.id);
    return asUserError(() => retryOperation({ instanceId: input.id, actor: ctx.user }));
  }),

  /** Owner or staff: stop the running operation at its current step. */
  cancel: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    await visibleInstance(ctx.user, input.id);
    return asUserError(() => cancelOperation({ instanceId: input.id, actor: ctx.user }));
  }),

  /** Owner or staff: bring the running instance up on a fresh server; it keeps serving meanwhile. */
  redeploy: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    await visibleInstance(ctx.user, input.id);
    return asUserError(() => requestRedeploy({ instanceId: input.id, actor: ctx.user, reason: "owner asked for a redeploy" }));
  }),

  /** Owner or staff: the instance's backups (what each holds, never its key). */
  backups: protectedProcedure.input(instanceIdInput).query(async ({ ctx, input }) => {
    await visibleInstance(ctx.user, input.id);
    return backupListOf(db, input.id);
  }),

  /** Owner or staff: take a backup now; the instance keeps serving. */
  backUp: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    await visibleInstance(ctx.user, input.id);
    return asUserError(() => requestBackup({ instanceId: input.id, actor: ctx.user, reason: "owner asked for a backup" }));
  }),

  /** Owner: restore one of this instance's own backups into it (its current state is backed up first). */
  restore: protectedProcedure
    .input(instanceIdInput.extend({ backupId: z.uuid("That is not a backup id."), confirm: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const instance = await visibleInstance(ctx.user, input.id);
      // Typed, as for a deprovision: a restore replaces everything written since the backup.
      if (input.confirm.trim() !== instance.subdomain) throw new TRPCError({ code: "BAD_REQUEST", message: `Type the instance's subdomain (${instance.subdomain}) to confirm the restore.` });
      return asUserError(() => requestRestore({ instanceId: input.id, backupId: input.backupId, actor: ctx.user, asStaffAction: false, reason: "owner asked for a restore" }));
    }),

  subdomainAvailable: protectedProcedure
    .input(z.object({ subdomain: z.string().max(100), instanceId: z.uuid().optional() }))
    .query(async ({ input }) => {
      const parsed = subdomainSchema.safeParse(input.subdomain);
      if (!parsed.success) return { isAvailable: false, problem: parsed.error.issues[0]?.message ?? "Not allowed." };
      const isAvailable = await isSubdomainAvailable(parsed.data, input.instanceId);
      return { isAvailable, problem: isAvailable ? null : `"${parsed.data}" is already taken.` };
    }),

  startCheckout: protectedProcedure.input(instanceIdInput).mutation(async ({ ctx, input }) => {
    const instance = await visibleInstance(ctx.user, input.id);
    if (instance.ownerId !== ctx.user.id) throw new TRPCError({ code: "FORBIDDEN", message: "Only the owner can pay." });
    return startCheckoutFor(ctx.user, instance);
  }),

  /** Live events after `lastEventId` (a sequence number); the SSE link resends it when it reconnects. */
  events: protectedProcedure
    .input(instanceIdInput.extend({ lastEventId: z.string().regex(/^\d+$/).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const instance = await visibleInstance(ctx.user, input.id);
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      for await (const event of streamInstanceEvents(instance.id, after, signal ?? new AbortController().signal)) {
        yield tracked(String(event.seq), event);
      }
    }),
});
