"use client";
// A custom domain's verification state, kept live from the instance's event stream (the verify_domain job
// appends an event each time it checks).
import { useMutation } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_trpc/client";
import type { CustomDomainStatus } from "@/db/schema";

type DomainState = { status: CustomDomainStatus | null; problem: string | null };

export function DomainStatus({ instanceId, lastEventSeq, initial }: { instanceId: string; lastEventSeq: number; initial: DomainState }) {
  const trpc = useTRPC();
  const [state, setState] = useState(initial);
  const [resumeFrom] = useState(() => String(lastEventSeq));
  useSubscription(
    trpc.instances.events.subscriptionOptions(
      { id: instanceId, lastEventId: resumeFrom },
      {
        onData: ({ data }) => {
          const found = (data.data as { customDomain?: DomainState } | null)?.customDomain;
          if (found) setState({ status: found.status, problem: found.problem });
        },
      },
    ),
  );
  const checkNow = useMutation(trpc.registration.checkDomain.mutationOptions());
  const text =
    state.status === "verified"
      ? "verified"
      : state.status === "failed"
        ? `failed: ${state.problem ?? "the records were not found in 72 hours"}`
        : state.problem
          ? `pending: ${state.problem}`
          : "pending: not checked yet";
  return (
    <div className="flex flex-wrap items-center gap-3">
      <p role="status" aria-live="polite">
        Verification: <strong data-testid="domain-status" data-status={state.status ?? "none"}>{text}</strong>
      </p>
      {state.status !== "verified" ? (
        <button type="button" className="button button-secondary" onClick={() => checkNow.mutate({ id: instanceId })} disabled={checkNow.isPending}>
          Check now
        </button>
      ) : null}
    </div>
  );
}
