import { requireUser } from "@/server/auth/guards";
import { ChangePasswordForm } from "@/app/(auth)/password-forms";

export default async function ChangePasswordPage() {
  await requireUser("/account/password");
  return (
    <>
      <h1>Change your password</h1>
      <p className="mb-4 text-slate-600">Every other browser signed in to your account is signed out; this one stays signed in.</p>
      <ChangePasswordForm />
    </>
  );
}
