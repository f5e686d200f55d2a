"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";

export function PayButton({ instanceId, label, withCard = true, isSecondary = false }: { instanceId: string; label: string; withCard?: boolean; isSecondary?: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pay = useMutation(
    trpc.billing.payLocalCheckout.mutationOptions({ onSuccess: () => router.push(`/instances/${instanceId}`) }),
  );
  return (
    <div className="stack">
      <button
        type="button"
        className={isSecondary ? "button button-secondary" : "button"}
        disabled={pay.isPending || pay.isSuccess}
        onClick={() => pay.mutate({ id: instanceId, withCard })}
      >
        {label}
      </button>
      <ErrorMessage>{pay.error?.message}</ErrorMessage>
    </div>
  );
}
