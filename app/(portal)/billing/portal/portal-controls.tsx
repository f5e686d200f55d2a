"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";
import { formatPrice, PLANS, type PlanId } from "@/server/billing/plans";

type Props = { instanceId: string; planId: PlanId; owesMoney: boolean; cancelAtPeriodEnd: boolean };

export function PortalControls({ instanceId, planId, owesMoney, cancelAtPeriodEnd }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const [plan, setPlan] = useState<PlanId>(planId);
  const refresh = { onSuccess: () => router.refresh() };
  const pay = useMutation(trpc.localBilling.replaceCardAndPay.mutationOptions(refresh));
  const changePlan = useMutation(trpc.localBilling.changePlan.mutationOptions(refresh));
  const cancel = useMutation(trpc.localBilling.setCancelAtPeriodEnd.mutationOptions(refresh));
  const error = pay.error ?? changePlan.error ?? cancel.error;
  const planFieldId = `plan-${instanceId}`;

  return (
    <div className="stack">
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" className="button" disabled={pay.isPending} onClick={() => pay.mutate({ instanceId })}>
          {owesMoney ? "Update card and pay" : "Update card"}
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={cancel.isPending}
          onClick={() => cancel.mutate({ instanceId, cancelAtPeriodEnd: !cancelAtPeriodEnd })}
        >
          {cancelAtPeriodEnd ? "Keep the subscription" : "Cancel at the end of the period"}
        </button>
      </div>
      <div className="field max-w-sm">
        <label htmlFor={planFieldId}>Plan</label>
        <select id={planFieldId} value={plan} onChange={(event) => setPlan(event.target.value as PlanId)}>
          {PLANS.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name} — {formatPrice(option.priceMonthlyCents)} / month
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className="button button-secondary"
        disabled={plan === planId || changePlan.isPending}
        onClick={() => changePlan.mutate({ instanceId, plan })}
      >
        Change plan
      </button>
      {pay.isSuccess ? <p role="status">Card updated{owesMoney ? "; the open invoices are being charged." : "."}</p> : null}
      <ErrorMessage>{error?.message}</ErrorMessage>
    </div>
  );
}
