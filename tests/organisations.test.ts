// The invitation flow end to end, through the tRPC procedures as the accounts would call them, on real Postgres:
// an owner invites an address, the link arrives by email, the address signs up, confirms and accepts, and then
// reaches the organisation's instances with the invited role; removal, leaving and the transfer of ownership keep
// at least one owner.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { memberships, users, type User } from "@/db/schema";
import { createUser } from "@/server/accounts/users";
import { inviteMember } from "@/server/organisations/members";
import { personalOrganisationOf } from "@/server/organisations/personal";
import { apiAs, makeUser, uniqueSuffix } from "./helpers/accounts";
import { queuedEmailsTo } from "./helpers/queued-emails";
import { createInstance, makeVerifiedUser } from "./helpers/registration";

async function verified(user: User) {
  const [row] = await db.update(users).set({ emailVerified: new Date() }).where(eq(users.id, user.id)).returning();
  return row!;
}

/** The token of the newest invitation link emailed to this address. */
async function invitationTokenSentTo(email: string) {
  const emails = await queuedEmailsTo(email);
  const text = emails.at(-1)?.text ?? "";
  const token = /\/invitations\/accept\?token=(\S+)/.exec(text)?.[1];
  if (!token) throw new Error(`no invitation link in the email to ${email}: ${text}`);
  return decodeURIComponent(token);
}

async function teamWithInstance() {
  const owner = await makeVerifiedUser();
  const organisationId = await personalOrganisationOf(db, owner.id);
  const instance = await createInstance(owner.id, { name: "Team", subdomain: `team-${uniqueSuffix()}`, plan: "starter" });
  return { owner, organisationId, instance };
}

describe("organisations", () => {
  it("gives a new account its personal organisation, which it owns", async () => {
    const user = await makeUser();
    const mine = await apiAs(user).organisations.mine();
    expect(mine).toEqual([{ id: expect.any(String), name: user.email, isPersonal: true, role: "owner" }]);
    await expect(apiAs(user).instances.mine()).resolves.toEqual([]);
  });

  it("invites by email: the address signs up, confirms, accepts once, and reaches the instances with its role", async () => {
    const { owner, organisationId, instance } = await teamWithInstance();
    const email = `invitee-${uniqueSuffix()}@example.org`;
    await apiAs(owner).organisations.invite({ organisationId, email: email.toUpperCase(), role: "admin" });
    const [sent] = await queuedEmailsTo(email);
    expect(sent).toMatchObject({ subject: expect.stringContaining("You are invited to"), purpose: "organisation_invitation" });
    expect(sent!.text).toContain("it works once, for 7 days");
    const token = await invitationTokenSentTo(email);
    await expect(apiAs(owner).organisations.invitations({ organisationId })).resolves.toMatchObject([{ email, role: "admin" }]);

    // Someone else holding the link gets nothing.
    const other = await makeVerifiedUser();
    await expect(apiAs(other).organisations.acceptInvitation({ token })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining(`This invitation is for ${email}`) });

    // The invited address signs up; the link waits for the address to be confirmed.
    const invitee = await createUser({ email, password: "a long enough password" });
    await expect(apiAs(invitee).organisations.acceptInvitation({ token })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Confirm your email address first") });
    await expect(apiAs(invitee).instances.byId({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const confirmed = await verified(invitee);
    await expect(apiAs(confirmed).organisations.acceptInvitation({ token })).resolves.toEqual({ organisationId });

    expect((await apiAs(confirmed).instances.mine()).map((row) => row.id)).toContain(instance.id);
    await expect(apiAs(confirmed).instances.byId({ id: instance.id })).resolves.toMatchObject({ instance: { id: instance.id } });
    // An admin reaches the settings but does not pay.
    await expect(apiAs(confirmed).settings.upgradeWindow({ id: instance.id })).resolves.toBeTruthy();
    await expect(apiAs(confirmed).instances.startCheckout({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const members = await apiAs(confirmed).organisations.members({ organisationId });
    expect(members.members.map((member) => [member.email, member.role])).toEqual([
      [owner.email, "owner"],
      [email, "admin"],
    ]);
    await expect(apiAs(owner).organisations.invitations({ organisationId })).resolves.toEqual([]);

    // Single-use.
    await expect(apiAs(confirmed).organisations.acceptInvitation({ token })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("already been accepted") });
    await expect(apiAs(confirmed).organisations.acceptInvitation({ token: "not-a-token" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("not valid") });
  });

  it("refuses an expired link, a revoked one, and an earlier link once a newer one is sent", async () => {
    const { owner, organisationId } = await teamWithInstance();
    const organisation = { id: organisationId, name: "Team" };
    const email = `late-${uniqueSuffix()}@example.org`;
    const invitee = await verified(await createUser({ email, password: "a long enough password" }));

    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    const expired = await inviteMember(owner, organisation, "owner", { email, role: "viewer" }, eightDaysAgo);
    await expect(apiAs(invitee).organisations.acceptInvitation({ token: expired.token })).rejects.toMatchObject({ message: expect.stringContaining("expired") });

    const first = await inviteMember(owner, organisation, "owner", { email, role: "viewer" });
    const second = await inviteMember(owner, organisation, "owner", { email, role: "billing" });
    await expect(apiAs(invitee).organisations.acceptInvitation({ token: first.token })).rejects.toMatchObject({ message: expect.stringContaining("withdrawn") });

    await apiAs(owner).organisations.revokeInvitation({ organisationId, invitationId: second.invitationId });
    await expect(apiAs(invitee).organisations.acceptInvitation({ token: second.token })).rejects.toMatchObject({ message: expect.stringContaining("withdrawn") });
    await expect(apiAs(owner).organisations.revokeInvitation({ organisationId, invitationId: second.invitationId })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await db.select().from(memberships).where(eq(memberships.userId, invitee.id))).toHaveLength(1); // its own organisation only
  });

  it("lets only owners invite or remove an owner, and refuses inviting a member again", async () => {
    const { owner, organisationId } = await teamWithInstance();
    const admin = await makeVerifiedUser();
    await db.insert(memberships).values({ organisationId, userId: admin.id, role: "admin" });
    await expect(apiAs(admin).organisations.invite({ organisationId, email: `o-${uniqueSuffix()}@example.org`, role: "owner" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Only an owner can invite another owner." });
    await expect(apiAs(admin).organisations.removeMember({ organisationId, userId: owner.id })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Only an owner can remove an owner." });
    await expect(apiAs(owner).organisations.invite({ organisationId, email: admin.email, role: "viewer" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("already a member") });
    const viewer = await makeVerifiedUser();
    await expect(apiAs(viewer).organisations.members({ organisationId })).rejects.toMatchObject({ code: "NOT_FOUND", message: "No such organisation." });
  });

  it("removes a member, who then reaches nothing of the organisation", async () => {
    const { owner, organisationId, instance } = await teamWithInstance();
    const viewer = await makeVerifiedUser();
    await db.insert(memberships).values({ organisationId, userId: viewer.id, role: "viewer" });
    await expect(apiAs(viewer).instances.byId({ id: instance.id })).resolves.toBeTruthy();
    await apiAs(owner).organisations.removeMember({ organisationId, userId: viewer.id });
    await expect(apiAs(viewer).instances.byId({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await apiAs(viewer).instances.mine()).map((row) => row.id)).not.toContain(instance.id);
  });

  it("keeps the last owner: it cannot leave until it has transferred the ownership", async () => {
    const { owner, organisationId, instance } = await teamWithInstance();
    const billing = await makeVerifiedUser();
    await db.insert(memberships).values({ organisationId, userId: billing.id, role: "billing" });
    await expect(apiAs(owner).organisations.leave({ organisationId })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("The last owner cannot leave") });
    await expect(apiAs(owner).organisations.removeMember({ organisationId, userId: owner.id })).rejects.toMatchObject({ message: expect.stringContaining("The last owner cannot leave") });
    await expect(apiAs(billing).organisations.transferOwnership({ organisationId, userId: billing.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(apiAs(owner).organisations.transferOwnership({ organisationId, userId: (await makeUser()).id })).rejects.toMatchObject({ message: expect.stringContaining("only go to a member") });

    await apiAs(owner).organisations.transferOwnership({ organisationId, userId: billing.id });
    const roles = Object.fromEntries((await apiAs(billing).organisations.members({ organisationId })).members.map((member) => [member.userId, member.role]));
    expect(roles).toEqual({ [owner.id]: "admin", [billing.id]: "owner" });
    await expect(apiAs(billing).organisations.leave({ organisationId })).rejects.toMatchObject({ message: expect.stringContaining("The last owner cannot leave") });
    await apiAs(owner).organisations.leave({ organisationId });
    await expect(apiAs(owner).instances.byId({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(apiAs(billing).instances.byId({ id: instance.id })).resolves.toBeTruthy();
  });
});
