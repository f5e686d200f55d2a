import Link from "next/link";
import { checkPasswordResetLink } from "@/server/accounts/tokens";
import { ResetPasswordForm } from "../password-forms";

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token = "" } = await searchParams;
  const check = await checkPasswordResetLink(token);
  return (
    <>
      <h1>Choose a new password</h1>
      {check.isValid ? (
        <ResetPasswordForm token={token} />
      ) : (
        <p className="card error" role="alert">
          {check.message} <Link href="/forgot-password">Send a new reset link</Link>
        </p>
      )}
    </>
  );
}
