import { ForgotPasswordForm } from "../password-forms";

export default function ForgotPasswordPage() {
  return (
    <>
      <h1>Forgot your password?</h1>
      <p className="mb-4 text-slate-600">Enter the email address of your account and we will send you a link to choose a new password.</p>
      <ForgotPasswordForm />
    </>
  );
}
