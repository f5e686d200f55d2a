"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";

export function RetryCheckoutButton({ instanceId }: { instanceId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const checkout = useMutation(
    trpc.instances.startCheckout.mutationOptions({
      onSuccess: ({ url }) => (url.startsWith("/") ? router.push(url) : window.location.assign(url)),
    }),
  );
  return (
    <div className="stack">
      <button type="button" className="button" disabled={checkout.isPending} onClick={() => checkout.mutate({ id: instanceId })}>
        Return to checkout
      </button>
      <ErrorMessage>{checkout.error?.message}</ErrorMessage>
    </div>
  );
}
