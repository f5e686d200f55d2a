import { redirect } from "next/navigation";
import { ErrorMessage } from "@/app/_components/error-message";
import { safeRedirectPath } from "@/server/auth/safe-redirect";
import { currentUser } from "@/server/auth/session";
import { logIn } from "../actions";
import { AuthForm } from "../auth-form";

// Auth.js's own credentials endpoint (a form posted to /api/auth/callback/credentials) comes back here with
// ?error=CredentialsSignin&code=…; the form on this page gets its messages from the log-in action instead.
const CALLBACK_MESSAGES: Record<string, string> = {
  too_many_attempts: "Too many log-in attempts. Wait a few minutes, then try again.",
  credentials: "Wrong email or password.",
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string; code?: string }> }) {
  const { next, code } = await searchParams;
  const safeNext = next ? safeRedirectPath(next) : undefined;
  if (await currentUser()) redirect(safeRedirectPath(next));
  return (
    <>
      <h1>Log in</h1>
      <ErrorMessage>{code ? CALLBACK_MESSAGES[code] : undefined}</ErrorMessage>
      <AuthForm mode="login" action={logIn} next={safeNext} />
    </>
  );
}
