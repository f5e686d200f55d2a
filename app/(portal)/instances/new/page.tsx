import { requireUser } from "@/server/auth/guards";
import { env } from "@/server/env";
import { RegisterForm } from "./register-form";

export default async function NewInstancePage() {
  await requireUser("/instances/new");
  return (
    <>
      <h1>Register an instance</h1>
      <RegisterForm baseDomain={env().LYCEUM_BASE_DOMAIN} />
    </>
  );
}
