import { z } from "zod";
import { organisationRole } from "@/db/schema";
import {
  acceptInvitation,
  invitationByToken,
  inviteMember,
  leaveOrganisation,
  membersOf,
  organisationsOf,
  pendingInvitationsOf,
  removeMember,
  revokeInvitation,
  transferOwnership,
} from "@/server/organisations/members";
import { createTRPCRouter, organisationProcedure, protectedProcedure } from "../trpc";

const memberInput = z.object({ userId: z.string().min(1, "Choose a member.").max(100) });

export const organisationsRouter = createTRPCRouter({
  /** The organisations the caller is a member of, with its role in each. */
  mine: protectedProcedure.query(({ ctx }) => organisationsOf(ctx.user.id)),

  /** Any member sees who else is a member, and with which role. */
  members: organisationProcedure("viewer").query(async ({ ctx }) => ({
    organisation: { id: ctx.organisation.id, name: ctx.organisation.name },
    role: ctx.role,
    members: await membersOf(ctx.organisation.id),
  })),

  invitations: organisationProcedure("admin").query(({ ctx }) => pendingInvitationsOf(ctx.organisation.id)),

  invite: organisationProcedure("admin")
    .input(z.object({ email: z.email("Enter an email address.").max(254), role: z.enum(organisationRole.enumValues) }))
    .mutation(async ({ ctx, input }) => {
      const { invitationId } = await inviteMember(ctx.user, ctx.organisation, ctx.role, input);
      return { invitationId };
    }),

  revokeInvitation: organisationProcedure("admin")
    .input(z.object({ invitationId: z.uuid("That is not an invitation id.") }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.organisation.id, input.invitationId)),

  removeMember: organisationProcedure("admin").input(memberInput).mutation(({ ctx, input }) => removeMember(ctx.role, ctx.organisation.id, input.userId)),

  leave: organisationProcedure("viewer").mutation(({ ctx }) => leaveOrganisation(ctx.user.id, ctx.organisation.id)),

  transferOwnership: organisationProcedure("owner").input(memberInput).mutation(({ ctx, input }) => transferOwnership(ctx.user.id, ctx.organisation.id, input.userId)),

  /** What an invitation link would join, without using it (the accept page). */
  invitation: protectedProcedure.input(z.object({ token: z.string().min(1).max(200) })).query(({ input }) => invitationByToken(input.token)),

  /** The invited account accepts: the link's token, for the address it was sent to (server/organisations/members.ts). */
  acceptInvitation: protectedProcedure
    .input(z.object({ token: z.string().min(1).max(200) }))
    .mutation(({ ctx, input }) => acceptInvitation(ctx.user, input.token)),
});
