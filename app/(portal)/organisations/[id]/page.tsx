import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { roleSatisfies } from "@/server/organisations/roles";
import { InviteForm, LeaveButton, MemberActions, RevokeButton } from "./member-forms";

/** An organisation's members and open invitations; admins invite and remove, the owner transfers the ownership. */
export default async function OrganisationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/organisations/${id}`);
  if (!z.uuid().safeParse(id).success) notFound();
  const api = await serverApi();
  const { organisation, role, members } = await api.organisations.members({ organisationId: id }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const isAdmin = roleSatisfies(role, "admin");
  const invitations = isAdmin ? await api.organisations.invitations({ organisationId: id }) : [];
  return (
    <div className="stack">
      <div>
        <h1>{organisation.name}</h1>
        <Link href="/organisations">All organisations</Link>
        <p>Your role: {role}.</p>
      </div>
      <section aria-labelledby="members-heading" className="stack">
        <h2 id="members-heading">Members</h2>
        <div className="table-scroll" tabIndex={0}>
          <table className="data">
            <thead>
              <tr>
                <th>Member</th>
                <th>Role</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={member.userId}>
                  <td>{member.name ? `${member.name} (${member.email})` : member.email}</td>
                  <td>{member.role}</td>
                  <td>
                    {member.userId === user.id ? (
                      <LeaveButton organisationId={id} />
                    ) : (
                      <MemberActions organisationId={id} member={{ userId: member.userId, email: member.email }} mayRemove={isAdmin} mayTransfer={role === "owner"} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {isAdmin ? (
        <section aria-labelledby="invitations-heading" className="stack">
          <h2 id="invitations-heading">Invitations</h2>
          {invitations.length === 0 ? <p>No open invitations.</p> : null}
          <ul className="stack">
            {invitations.map((invitation) => (
              <li key={invitation.id}>
                {invitation.email} as {invitation.role}, until {invitation.expiresAt.toISOString().slice(0, 10)}{" "}
                <RevokeButton organisationId={id} invitationId={invitation.id} email={invitation.email} />
              </li>
            ))}
          </ul>
          <InviteForm organisationId={id} mayInviteOwner={role === "owner"} />
        </section>
      ) : null}
    </div>
  );
}
