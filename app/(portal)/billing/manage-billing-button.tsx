"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";

/** Opens the billing provider's customer portal (Stripe's, or the offline driver's own page). */
export function ManageBillingButton() {
  const trpc = useTRPC();
  const router = useRouter();
  const portal = useMutation(
    trpc.billing.openPortal.mutationOptions({
      onSuccess: ({ url }) => (url.startsWith("/") ? router.push(url) : window.location.assign(url)),
    }),
  );
  return (
    <div>
      <button type="button" className="button" disabled={portal.isPending} onClick={() => portal.mutate()}>
        Manage billing
      </button>
      <ErrorMessage>{portal.error?.message}</ErrorMessage>
    </div>
  );
}
