import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { AcceptInvitationButton } from "./accept-button";

/** An invitation link: log in (or sign up) with the invited address, then accept. */
export default async function AcceptInvitationPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token = "" } = await searchParams;
  const user = await requireUser(`/invitations/accept?token=${encodeURIComponent(token)}`);
  const invitation = token ? await (await serverApi()).organisations.invitation({ token }) : { isOpen: false as const, message: "This invitation link is not valid." };
  return (
    <div className="stack">
      <h1>Invitation</h1>
      {invitation.isOpen ? (
        <>
          <p>
            You are invited to join {invitation.organisationName} as {invitation.role}. The invitation is for {invitation.email}; you are logged in as{" "}
            {user.email}.
          </p>
          <AcceptInvitationButton token={token} organisationName={invitation.organisationName} />
        </>
      ) : (
        <p role="alert">{invitation.message}</p>
      )}
    </div>
  );
}
