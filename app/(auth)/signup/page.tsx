import { redirect } from "next/navigation";
import { currentUser } from "@/server/auth/session";
import { signUp } from "../actions";
import { AuthForm } from "../auth-form";

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  if (await currentUser()) redirect("/instances");
  return (
    <>
      <h1>Create your Lyceum account</h1>
      <AuthForm mode="signup" action={signUp} next={next} />
    </>
  );
}
