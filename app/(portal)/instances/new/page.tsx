import { requireUser } from "@/server/auth/guards";
import { env } from "@/server/env";
import { Wizard } from "../_wizard/wizard";

export default async function NewInstancePage() {
  const user = await requireUser("/instances/new");
  return (
    <>
      <h1>Register an instance</h1>
      <Wizard view={null} step="instance" baseDomain={env().LYCEUM_BASE_DOMAIN} accountEmail={user.email} />
    </>
  );
}
