"use client";
// The members page's controls: each calls its procedure (which checks the caller's role) and refreshes the page.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { Field, SelectField } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import type { OrganisationRole } from "@/db/schema";
import { ROLE_LABELS } from "@/server/organisations/roles";

export function InviteForm({ organisationId, mayInviteOwner }: { organisationId: string; mayInviteOwner: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const invite = useMutation(trpc.organisations.invite.mutationOptions());
  const roles = (Object.keys(ROLE_LABELS) as OrganisationRole[]).filter((role) => mayInviteOwner || role !== "owner");

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email"));
    setSentTo(null);
    await invite.mutateAsync({ organisationId, email, role: String(form.get("role")) as OrganisationRole }).then(
      () => {
        setSentTo(email);
        router.refresh();
      },
      () => undefined,
    );
  }

  return (
    <form onSubmit={submit} className="stack card" aria-labelledby="invite-heading">
      <h3 id="invite-heading">Invite someone</h3>
      <Field label="Email address" name="email" type="email" required autoComplete="off" error={invite.error?.data?.fieldErrors?.email} />
      <SelectField label="Role" name="role" defaultValue="viewer" options={roles.map((role) => ({ value: role, label: ROLE_LABELS[role] }))} />
      <button type="submit" className="button" disabled={invite.isPending}>
        Send invitation
      </button>
      <ErrorMessage>{invite.error && !invite.error.data?.fieldErrors ? invite.error.message : null}</ErrorMessage>
      {sentTo ? <p role="status">Invitation sent to {sentTo}.</p> : null}
    </form>
  );
}

export function RevokeButton({ organisationId, invitationId, email }: { organisationId: string; invitationId: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const revoke = useMutation(trpc.organisations.revokeInvitation.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <>
      <button type="button" className="button button-secondary" disabled={revoke.isPending} onClick={() => revoke.mutate({ organisationId, invitationId })}>
        Withdraw the invitation of {email}
      </button>
      <ErrorMessage>{revoke.error?.message}</ErrorMessage>
    </>
  );
}

export function MemberActions({ organisationId, member, mayRemove, mayTransfer }: { organisationId: string; member: { userId: string; email: string }; mayRemove: boolean; mayTransfer: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const remove = useMutation(trpc.organisations.removeMember.mutationOptions({ onSuccess: () => router.refresh() }));
  const transfer = useMutation(trpc.organisations.transferOwnership.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <div className="flex gap-2">
      {mayRemove ? (
        <button type="button" className="button button-secondary" disabled={remove.isPending} onClick={() => remove.mutate({ organisationId, userId: member.userId })}>
          Remove {member.email}
        </button>
      ) : null}
      {mayTransfer ? (
        <button type="button" className="button button-secondary" disabled={transfer.isPending} onClick={() => transfer.mutate({ organisationId, userId: member.userId })}>
          Make {member.email} the owner
        </button>
      ) : null}
      <ErrorMessage>{remove.error?.message ?? transfer.error?.message}</ErrorMessage>
    </div>
  );
}

export function LeaveButton({ organisationId }: { organisationId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const leave = useMutation(trpc.organisations.leave.mutationOptions({ onSuccess: () => router.push("/organisations") }));
  return (
    <>
      <button type="button" className="button button-secondary" disabled={leave.isPending} onClick={() => leave.mutate({ organisationId })}>
        Leave this organisation
      </button>
      <ErrorMessage>{leave.error?.message}</ErrorMessage>
    </>
  );
}
