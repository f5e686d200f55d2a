"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";

export function AcceptInvitationButton({ token, organisationName }: { token: string; organisationName: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(trpc.organisations.acceptInvitation.mutationOptions({ onSuccess: ({ organisationId }) => router.push(`/organisations/${organisationId}`) }));
  return (
    <div>
      <button type="button" className="button" disabled={accept.isPending} onClick={() => accept.mutate({ token })}>
        Join {organisationName}
      </button>
      <ErrorMessage>{accept.error?.message}</ErrorMessage>
    </div>
  );
}
