import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { env } from "@/server/env";
import { Wizard } from "../_wizard/wizard";
import { UnfinishedDrafts } from "./unfinished-drafts";

export default async function NewInstancePage() {
  const user = await requireUser("/instances/new");
  const drafts = (await (await serverApi()).instances.mine()).filter((instance) => instance.status === "draft");
  return (
    <>
      <h1>Register an instance</h1>
      <UnfinishedDrafts drafts={drafts} />
      <Wizard view={null} step="instance" baseDomain={env().LYCEUM_BASE_DOMAIN} accountEmail={user.email} />
    </>
  );
}
