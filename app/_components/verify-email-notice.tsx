"use client";
// Tells an unverified account to confirm its address, with a button to send the link again.
import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/app/_trpc/client";

export function VerifyEmailNotice({ email }: { email: string }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.account.resendVerification.mutationOptions());
  return (
    <div className="notice" role="status" data-testid="verify-email-notice">
      <p>
        Confirm your email address: we sent a link to <strong>{email}</strong>. You can register an instance now; you can pay once
        your address is confirmed.
      </p>
      <button type="button" className="button button-secondary" onClick={() => resend.mutate()} disabled={resend.isPending}>
        Send the link again
      </button>
      {resend.isSuccess ? <p>A new link is on its way to {resend.data.sentTo}. Earlier links no longer work.</p> : null}
      {resend.error ? <p className="error">{resend.error.message}</p> : null}
    </div>
  );
}
