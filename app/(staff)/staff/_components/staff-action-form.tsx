"use client";
// The form of one staff action: a required reason (it goes into the audit log), an optional typed
// confirmation (deprovision: the subdomain), and the outcome in words — done, or refused and why.
import { TRPCClientError } from "@trpc/client";
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent, type ReactNode } from "react";

type Props = {
  /** Names the form for screen readers and tests, e.g. "Cancel the running operation". */
  title: string;
  description?: string;
  submitLabel: string;
  /** When set, the action runs only once this exact text is typed (the instance's subdomain). */
  confirmText?: string;
  perform(input: { reason: string; confirm?: string }): Promise<{ summary: string }>;
  /** The action's own fields, shown above the reason. */
  children?: ReactNode;
};

export function StaffActionForm({ title, description, submitLabel, confirmText, perform, children }: Props) {
  const router = useRouter();
  const id = useId();
  const [reason, setReason] = useState("");
  const [confirm, setConfirm] = useState("");
  const [isPending, setIsPending] = useState(false);
  const [result, setResult] = useState<{ kind: "done" | "refused" | "failed"; message: string } | null>(null);
  const [reasonError, setReasonError] = useState<string | null>(null);
  const isConfirmed = !confirmText || confirm.trim().toLowerCase() === confirmText.toLowerCase();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setIsPending(true);
    setResult(null);
    setReasonError(null);
    try {
      const { summary } = await perform({ reason, ...(confirmText ? { confirm } : {}) });
      setResult({ kind: "done", message: summary });
      setReason("");
      setConfirm("");
      router.refresh();
    } catch (error) {
      const fieldErrors = error instanceof TRPCClientError ? (error.data?.fieldErrors as Record<string, string[]> | null) : null;
      if (fieldErrors?.reason?.[0]) setReasonError(fieldErrors.reason[0]);
      else {
        const isRefusal = error instanceof TRPCClientError && error.data?.code === "PRECONDITION_FAILED";
        setResult({ kind: isRefusal ? "refused" : "failed", message: error instanceof Error ? error.message : String(error) });
      }
      router.refresh();
    } finally {
      setIsPending(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label={title} className="stack">
      <h3 className="font-semibold">{title}</h3>
      {description ? <p className="hint">{description}</p> : null}
      {children}
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason</label>
        <textarea
          id={`${id}-reason`}
          name="reason"
          rows={2}
          required
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${id}-reason-error` : `${id}-reason-hint`}
        />
        {reasonError ? (
          <p id={`${id}-reason-error`} className="error" role="alert">
            {reasonError}
          </p>
        ) : (
          <p id={`${id}-reason-hint`} className="hint">
            Recorded in the audit log with your name.
          </p>
        )}
      </div>
      {confirmText ? (
        <div className="field">
          <label htmlFor={`${id}-confirm`}>Type {confirmText} to confirm</label>
          <input id={`${id}-confirm`} name="confirm" autoComplete="off" value={confirm} onChange={(event) => setConfirm(event.target.value)} />
        </div>
      ) : null}
      <div>
        <button type="submit" className="button" disabled={isPending || !isConfirmed}>
          {isPending ? "Working…" : submitLabel}
        </button>
      </div>
      {result ? (
        <p role={result.kind === "done" ? "status" : "alert"} className={result.kind === "done" ? "level-success" : "error"}>
          {result.kind === "done" ? "Done" : result.kind === "refused" ? "Refused" : "Failed"}: {result.message}
        </p>
      ) : null}
    </form>
  );
}
