"use client";
// The offline driver's lifecycle controls for one instance: what Stripe would do on its own schedule,
// on demand, so the whole lifecycle can be tried by hand. Each is an audited staff action: the reason
// typed here goes into the audit log with the staff member's name.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { formatDay } from "@/app/_components/subscription-badge";
import { useTRPC } from "@/app/_trpc/client";

type Props = { instanceId: string; cardDeclines: boolean; hasOpenInvoices: boolean; hasEnded: boolean; billingNow: Date };

export function LocalBillingControls({ instanceId, cardDeclines, hasOpenInvoices, hasEnded, billingNow }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const [reason, setReason] = useState("");
  const refresh = { onSuccess: () => router.refresh() };
  const declines = useMutation(trpc.localBilling.setCardDeclines.mutationOptions(refresh));
  const retry = useMutation(trpc.localBilling.retryPayment.mutationOptions(refresh));
  const cancel = useMutation(trpc.localBilling.cancelNow.mutationOptions(refresh));
  const advance = useMutation(trpc.localBilling.advanceClock.mutationOptions(refresh));
  const done = declines.data ?? retry.data ?? cancel.data ?? advance.data;
  const error = declines.error ?? retry.error ?? cancel.error ?? advance.error;
  const isBusy = declines.isPending || retry.isPending || cancel.isPending || advance.isPending;
  const hasReason = reason.trim().length >= 3;

  return (
    <div className="card stack" aria-label="Offline billing controls">
      <h3 className="font-semibold">Offline billing controls</h3>
      <p className="hint">
        Billing date {formatDay(billingNow)}. {cardDeclines ? "The card on file declines every payment." : "The card on file pays."}
      </p>
      {hasEnded ? (
        <p>The subscription has ended.</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason for the billing change</label>
            <textarea id={`${id}-reason`} rows={2} required value={reason} onChange={(event) => setReason(event.target.value)} />
            <p className="hint">Recorded in the audit log with your name (at least 3 characters).</p>
          </div>
          <div className="flex flex-wrap gap-3">
            <button
              type="button"
              className="button button-secondary"
              disabled={isBusy || !hasReason}
              onClick={() => declines.mutate({ instanceId, declines: !cardDeclines, reason })}
            >
              {cardDeclines ? "Let payments succeed again" : "Make the next payment fail"}
            </button>
            <button
              type="button"
              className="button button-secondary"
              disabled={isBusy || !hasReason || !hasOpenInvoices}
              onClick={() => retry.mutate({ instanceId, reason })}
            >
              Retry the payment
            </button>
            <button type="button" className="button button-secondary" disabled={isBusy || !hasReason} onClick={() => advance.mutate({ days: 31, reason })}>
              Advance the clock to the next renewal (31 days)
            </button>
            <button type="button" className="button button-secondary" disabled={isBusy || !hasReason} onClick={() => advance.mutate({ days: 8, reason })}>
              Advance the clock past the grace period (8 days)
            </button>
            <button type="button" className="button button-secondary" disabled={isBusy || !hasReason} onClick={() => cancel.mutate({ instanceId, reason })}>
              Cancel the subscription now
            </button>
          </div>
        </>
      )}
      {done && !error ? <p role="status">Done: {done.summary}</p> : null}
      <ErrorMessage>{error?.message}</ErrorMessage>
    </div>
  );
}
