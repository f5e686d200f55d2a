// Members of an organisation: invitations by email, accepting one, removal, leaving and the transfer of ownership.
// The procedures have already checked the caller's role (organisationProcedure); the rules here are about whom
// the change touches: only owners touch owners, and an organisation always keeps at least one owner. Each change
// locks the organisation's membership rows first, so two simultaneous changes cannot both remove its last owner.
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { invitations, memberships, organisations, users, type OrganisationRole, type User } from "@/db/schema";
import { env } from "@/server/env";
import { enqueueEmail } from "@/server/mail/enqueue";
import { ROLE_LABELS } from "./roles";

/** A change to the members that the rules refuse; the message says why, for the person who asked. */
export class MembershipRefusedError extends Error {}

/** An invitation link that cannot be accepted (unknown, used, revoked, expired, or for another address). */
export class InvitationRefusedError extends Error {}

const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The organisation's members, oldest first, locked for the rest of the transaction. */
async function lockedMembersOf(tx: Queryable, organisationId: string) {
  return tx
    .select({ userId: memberships.userId, role: memberships.role })
    .from(memberships)
    .where(eq(memberships.organisationId, organisationId))
    .orderBy(asc(memberships.createdAt))
    .for("update");
}

export async function membersOf(organisationId: string) {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, since: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.organisationId, organisationId))
    .orderBy(asc(memberships.createdAt));
}

/** The invitations still open (not used, not revoked, not expired). */
export async function pendingInvitationsOf(organisationId: string, now = new Date()) {
  return db
    .select({ id: invitations.id, email: invitations.email, role: invitations.role, expiresAt: invitations.expiresAt, createdAt: invitations.createdAt })
    .from(invitations)
    .where(and(eq(invitations.organisationId, organisationId), isNull(invitations.usedAt), isNull(invitations.revokedAt), gt(invitations.expiresAt, now)))
    .orderBy(asc(invitations.createdAt));
}

/** The organisations this account is a member of, with its role in each. */
export async function organisationsOf(userId: string) {
  return db
    .select({ id: organisations.id, name: organisations.name, isPersonal: sql<boolean>`${organisations.personalOf} = ${userId}`, role: memberships.role })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.organisationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organisations.createdAt));
}

/**
 * Invites an address with a role: a link that works once, for seven days, for the account that has confirmed
 * that address (it signs up or logs in first). An earlier open invitation of the same address is revoked, so only
 * the newest link works. Only owners invite owners. Returns the raw token (for the email; it is not stored).
 */
export async function inviteMember(
  inviter: Pick<User, "id" | "email">,
  organisation: { id: string; name: string },
  inviterRole: OrganisationRole,
  input: { email: string; role: OrganisationRole },
  now = new Date(),
): Promise<{ invitationId: string; token: string }> {
  if (input.role === "owner" && inviterRole !== "owner") throw new MembershipRefusedError("Only an owner can invite another owner.");
  const email = input.email.toLowerCase();
  return db.transaction(async (tx) => {
    await lockedMembersOf(tx, organisation.id);
    const [member] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.organisationId, organisation.id), eq(users.email, email)));
    if (member) throw new MembershipRefusedError(`${email} is already a member of ${organisation.name}.`);
    await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(and(eq(invitations.organisationId, organisation.id), eq(invitations.email, email), isNull(invitations.usedAt), isNull(invitations.revokedAt)));
    const token = randomBytes(32).toString("base64url");
    const [invitation] = await tx
      .insert(invitations)
      .values({
        organisationId: organisation.id,
        email,
        role: input.role,
        tokenHash: hashToken(token),
        invitedBy: inviter.id,
        expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
      })
      .returning({ id: invitations.id });
    const url = `${env().publicUrl}/invitations/accept?token=${encodeURIComponent(token)}`;
    await enqueueEmail(tx, {
      to: email,
      subject: `You are invited to ${organisation.name} on Lyceum`,
      text:
        `${inviter.email} invites you to join "${organisation.name}" on Lyceum, the Open edX hosting portal, as ` +
        `${ROLE_LABELS[input.role].toLowerCase()}.\n\nAccept by opening this link (it works once, for 7 days). Log in ` +
        `with this address, ${email}, or sign up with it first:\n\n${url}\n\nIf you did not expect this, ignore this email.`,
      purpose: "organisation_invitation",
    });
    return { invitationId: invitation!.id, token };
  });
}

export async function revokeInvitation(organisationId: string, invitationId: string, now = new Date()) {
  const [revoked] = await db
    .update(invitations)
    .set({ revokedAt: now })
    .where(and(eq(invitations.id, invitationId), eq(invitations.organisationId, organisationId), isNull(invitations.usedAt), isNull(invitations.revokedAt)))
    .returning({ id: invitations.id });
  if (!revoked) throw new MembershipRefusedError("That invitation is not open any more (accepted, revoked, or never sent).");
}

const INVITATION_MESSAGES = {
  unknown: "This invitation link is not valid. Check that you copied all of it, or ask for a new invitation.",
  used: "This invitation has already been accepted. Ask for a new one if you still need it.",
  revoked: "This invitation was withdrawn. Ask the organisation for a new one.",
  expired: "This invitation has expired. Ask the organisation for a new one.",
  unverified: "Confirm your email address first (open the link we emailed you), then open the invitation again.",
} as const;

/** Whether the link names an open invitation, without using it (the accept page shows what it would join). */
export async function invitationByToken(token: string, now = new Date()) {
  const [row] = await db
    .select({ invitation: invitations, organisationName: organisations.name })
    .from(invitations)
    .innerJoin(organisations, eq(organisations.id, invitations.organisationId))
    .where(eq(invitations.tokenHash, hashToken(token)));
  if (!row) return { isOpen: false as const, message: INVITATION_MESSAGES.unknown };
  const problem = invitationProblem(row.invitation, now);
  if (problem) return { isOpen: false as const, message: problem };
  return { isOpen: true as const, organisationName: row.organisationName, email: row.invitation.email, role: row.invitation.role };
}

function invitationProblem(invitation: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now: Date): string | null {
  if (invitation.usedAt) return INVITATION_MESSAGES.used;
  if (invitation.revokedAt) return INVITATION_MESSAGES.revoked;
  if (invitation.expiresAt <= now) return INVITATION_MESSAGES.expired;
  return null;
}

/**
 * Accepts an invitation for this account: only once, before it expires, and only when the account's confirmed
 * address is the invited one (a forwarded link does not let someone else in). An account that is already a
 * member keeps its role and the invitation is spent.
 */
export async function acceptInvitation(user: Pick<User, "id" | "email" | "emailVerified">, token: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const [invitation] = await tx.select().from(invitations).where(eq(invitations.tokenHash, hashToken(token))).for("update");
    if (!invitation) throw new InvitationRefusedError(INVITATION_MESSAGES.unknown);
    const problem = invitationProblem(invitation, now);
    if (problem) throw new InvitationRefusedError(problem);
    if (user.email.toLowerCase() !== invitation.email) {
      throw new InvitationRefusedError(`This invitation is for ${invitation.email}. Log in with that address (or sign up with it) to accept it.`);
    }
    if (!user.emailVerified) throw new InvitationRefusedError(INVITATION_MESSAGES.unverified);
    await lockedMembersOf(tx, invitation.organisationId);
    await tx.insert(memberships).values({ organisationId: invitation.organisationId, userId: user.id, role: invitation.role }).onConflictDoNothing();
    await tx.update(invitations).set({ usedAt: now, usedBy: user.id }).where(eq(invitations.id, invitation.id));
    return { organisationId: invitation.organisationId };
  });
}

/**
 * Removes a member. Admins remove admins, billing members and viewers; only owners remove an owner; the last
 * owner cannot be removed (transfer the ownership first).
 */
export async function removeMember(actorRole: OrganisationRole, organisationId: string, userId: string) {
  await db.transaction(async (tx) => {
    const members = await lockedMembersOf(tx, organisationId);
    const target = members.find((member) => member.userId === userId);
    if (!target) throw new MembershipRefusedError("That account is not a member of this organisation.");
    if (target.role === "owner" && actorRole !== "owner") throw new MembershipRefusedError("Only an owner can remove an owner.");
    assertOwnerRemains(members, userId);
    await tx.delete(memberships).where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
  });
}

/** The caller leaves the organisation; its last owner cannot (transfer the ownership first). */
export async function leaveOrganisation(userId: string, organisationId: string) {
  await db.transaction(async (tx) => {
    const members = await lockedMembersOf(tx, organisationId);
    assertOwnerRemains(members, userId);
    await tx.delete(memberships).where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, userId)));
  });
}

function assertOwnerRemains(members: { userId: string; role: OrganisationRole }[], leaving: string) {
  const owners = members.filter((member) => member.role === "owner");
  if (owners.length === 1 && owners[0]!.userId === leaving) {
    throw new MembershipRefusedError("The last owner cannot leave: transfer the ownership to another member first.");
  }
}

/** The owner hands the ownership to another member, and stays on as an admin. */
export async function transferOwnership(ownerId: string, organisationId: string, toUserId: string) {
  if (toUserId === ownerId) throw new MembershipRefusedError("You already own this organisation.");
  await db.transaction(async (tx) => {
    const members = await lockedMembersOf(tx, organisationId);
    if (!members.some((member) => member.userId === toUserId)) {
      throw new MembershipRefusedError("Ownership can only go to a member: invite them first.");
    }
    await tx.update(memberships).set({ role: "owner" }).where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, toUserId)));
    await tx.update(memberships).set({ role: "admin" }).where(and(eq(memberships.organisationId, organisationId), eq(memberships.userId, ownerId)));
  });
}
