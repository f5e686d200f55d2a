import { tracked, TRPCError } from "@trpc/server";
import { z } from "zod";
import { db } from "@/db";
import { env } from "@/server/env";
import { startCheckout } from "@/server/billing/checkout";
import { streamInstanceEvents } from "@/server/events/stream";
import { requestBackup, requestRestore } from "@/server/backups/requests";
import { backupListOf } from "@/server/backups/store";
import { appServerCountFor, liveServersOf, quorumOf } from "@/server/deployments/app-servers";
import { siteUrlFor } from "@/server/instances/hostnames";
import { cancelOperation, requestRedeploy, retryOperation } from "@/server/instances/actions";
import { publicInstance } from "@/server/instances/draft-view";
import { activeDeploymentOf, instanceEventLog, instanceLedger, instancesVisibleTo } from "@/server/instances/queries";
import { isSubdomainAvailable } from "@/server/instances/registration";
import { subdomainSchema } from "@/server/instances/subdomain";
import { usageOf } from "@/server/usage/measure";
import { releaseOptionsOf } from "@/server/upgrades/options";
import { requestRollback, requestUpgrade } from "@/server/upgrades/requests";
import { createTRPCRouter, instanceProcedure, protectedProcedure } from "../trpc";

export const instancesRouter = createTRPCRouter({
  mine: protectedProcedure.query(async ({ ctx }) => (await instancesVisibleTo(ctx.user.id)).map(publicInstance)),

  byId: instanceProcedure("viewer").query(async ({ ctx: { instance } }) => {
    const [deployment, events, resources] = await Promise.all([
      activeDeploymentOf(instance),
      instanceEventLog(instance.id),
      instanceLedger(instance.id),
    ]);
    const servers = deployment ? await liveServersOf(db, deployment.id) : [];
    return {
      instance: publicInstance(instance),
      siteUrl: ["running", "suspended"].includes(instance.status)
        ? siteUrlFor(instance, env(), deployment?.address ?? null)
        : null,
      events,
      resources,
      // The serving deployment's servers by number and state (their addresses are ours, not the owner's).
      appServers: {
        count: deployment?.serverCount ?? appServerCountFor(instance),
        quorum: quorumOf(deployment?.serverCount ?? appServerCountFor(instance)),
        servers: servers.map((server) => ({ number: server.serverIndex + 1, state: server.state, failingSince: server.failingSince })),
      },
    };
  }),

  /** The last daily measurement (storage, learners, courses) against the plan's limits; usage null before the first. */
  usage: instanceProcedure("viewer").query(({ ctx }) => usageOf(db, ctx.instance)),

  /** What exists for the instance on the clusters (names, never secrets); the page refreshes it as steps finish. */
  resources: instanceProcedure("viewer").query(({ ctx }) => instanceLedger(ctx.instance.id)),

  /** Owner or staff: resume the failed operation at the step that failed. */
  retry: instanceProcedure("admin").mutation(({ ctx }) => retryOperation({ instanceId: ctx.instance.id, actor: ctx.user })),

  /** Owner or staff: stop the running operation at its current step. */
  cancel: instanceProcedure("admin").mutation(({ ctx }) => cancelOperation({ instanceId: ctx.instance.id, actor: ctx.user })),

  /** Owner or staff: bring the running instance up on a fresh server; it keeps serving meanwhile. */
  redeploy: instanceProcedure("admin").mutation(({ ctx }) =>
    requestRedeploy({ instanceId: ctx.instance.id, actor: ctx.user, reason: "owner asked for a redeploy" }),
  ),

  /** Owner or staff: the instance's backups (what each holds, never its key). */
  backups: instanceProcedure("viewer").query(({ ctx }) => backupListOf(db, ctx.instance.id)),

  /** Owner or staff: take a backup now; the instance keeps serving. */
  backUp: instanceProcedure("admin").mutation(({ ctx }) =>
    requestBackup({ instanceId: ctx.instance.id, actor: ctx.user, reason: "owner asked for a backup" }),
  ),

  /** Owner: restore one of this instance's own backups into it (its current state is backed up first). */
  restore: instanceProcedure("admin")
    .input(z.object({ backupId: z.uuid("That is not a backup id."), confirm: z.string() }))
    .mutation(({ ctx, input }) => {
      // Typed, as for a deprovision: a restore replaces everything written since the backup.
      if (input.confirm.trim() !== ctx.instance.subdomain) {
        throw new TRPCError({ code: "BAD_REQUEST", message: `Type the instance's subdomain (${ctx.instance.subdomain}) to confirm the restore.` });
      }
      return requestRestore({ instanceId: ctx.instance.id, backupId: input.backupId, actor: ctx.user, asStaffAction: false, reason: "owner asked for a restore" });
    }),

  /** Owner or staff: the release the instance runs, what it may be upgraded to, and whether a rollback is possible. */
  releaseOptions: instanceProcedure("viewer").query(({ ctx }) => releaseOptionsOf(db, ctx.instance)),

  /** Owner or staff: upgrade to a newer supported release (staff through the audited action may pick a preview). */
  upgrade: instanceProcedure("admin")
    .input(z.object({ releaseId: z.uuid("That is not a release id.") }))
    .mutation(({ ctx, input }) => requestUpgrade({ instanceId: ctx.instance.id, releaseId: input.releaseId, actor: ctx.user, asStaffAction: false, reason: "owner asked for an upgrade" })),

  /** Owner or staff: switch back to the release before the last upgrade; typed confirmation when data is restored. */
  rollback: instanceProcedure("admin")
    .input(z.object({ confirm: z.string().max(200).optional() }))
    .mutation(({ ctx, input }) => requestRollback({ instanceId: ctx.instance.id, actor: ctx.user, confirm: input.confirm, reason: "owner asked for a rollback" })),

  /** The id only exempts that instance's own claim from the answer; nothing of the instance is read or returned. */
  subdomainAvailable: protectedProcedure
    .input(z.object({ subdomain: z.string().max(100), instanceId: z.uuid().optional() }))
    .query(async ({ input }) => {
      const parsed = subdomainSchema.safeParse(input.subdomain);
      if (!parsed.success) return { isAvailable: false, problem: parsed.error.issues[0]?.message ?? "Not allowed." };
      const isAvailable = await isSubdomainAvailable(parsed.data, input.instanceId);
      return { isAvailable, problem: isAvailable ? null : `"${parsed.data}" is already taken.` };
    }),

  /** Staff see the instance, but only its owners and billing members pay (the checkout refuses anyone else). */
  startCheckout: instanceProcedure("billing").mutation(({ ctx }) => startCheckout(ctx.user, ctx.instance)),

  /** Live events after `lastEventId` (a sequence number); the SSE link resends it when it reconnects. */
  events: instanceProcedure("viewer")
    .input(z.object({ lastEventId: z.string().regex(/^\d+$/).nullish() }))
    .subscription(async function* ({ ctx, input, signal }) {
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      for await (const event of streamInstanceEvents(ctx.instance.id, after, signal ?? new AbortController().signal)) {
        yield tracked(String(event.seq), event);
      }
    }),
});
