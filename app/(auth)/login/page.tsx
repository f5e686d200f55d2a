import { redirect } from "next/navigation";
import { safeRedirectPath } from "@/server/auth/safe-redirect";
import { currentUser } from "@/server/auth/session";
import { logIn } from "../actions";
import { AuthForm } from "../auth-form";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  if (await currentUser()) redirect(safeRedirectPath(next));
  return (
    <>
      <h1>Log in</h1>
      <AuthForm mode="login" action={logIn} next={next} />
    </>
  );
}
