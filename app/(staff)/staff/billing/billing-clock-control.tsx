"use client";
// The offline driver's billing clock: staff move it forward to try renewals, grace periods and trial ends
// (an audited staff action: the reason goes into the audit log).
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { formatDay } from "@/app/_components/subscription-badge";
import { useTRPC } from "@/app/_trpc/client";

/** The days field's message, or the reason's: the two inputs the procedure checks. */
function fieldErrorOf(data: unknown): string[] | undefined {
  const fieldErrors = (data as { fieldErrors?: { days?: string[]; reason?: string[] } | null } | undefined)?.fieldErrors;
  return fieldErrors?.days ?? fieldErrors?.reason;
}

export function BillingClockControl({ now }: { now: Date }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [days, setDays] = useState("1");
  const [reason, setReason] = useState("");
  const advance = useMutation(trpc.localBilling.advanceClock.mutationOptions({ onSuccess: () => router.refresh() }));
  return (
    <section className="card stack" aria-labelledby="clock-heading">
      <h2 id="clock-heading" className="mt-0">
        Billing clock (offline driver)
      </h2>
      <p>
        Billing date: <strong data-testid="billing-date">{formatDay(now)}</strong>. Renewals, trial ends and billing deadlines
        happen as the clock passes them.
      </p>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          advance.mutate({ days: Number(days), reason });
        }}
      >
        <div className="field">
          <label htmlFor="advance-days">Days to advance</label>
          <input id="advance-days" type="number" min="0.01" step="any" value={days} onChange={(event) => setDays(event.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="advance-reason">Reason</label>
          <input id="advance-reason" required minLength={3} value={reason} onChange={(event) => setReason(event.target.value)} />
        </div>
        <button type="submit" className="button" disabled={advance.isPending}>
          Advance the billing clock
        </button>
      </form>
      {advance.data ? <p role="status">{advance.data.summary}</p> : null}
      <ErrorMessage>
        {advance.error ? (fieldErrorOf(advance.error.data)?.[0] ?? advance.error.message) : null}
      </ErrorMessage>
    </section>
  );
}
