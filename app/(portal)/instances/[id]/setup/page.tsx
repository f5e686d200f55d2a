import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";
import type { WizardStep } from "@/db/schema";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { env } from "@/server/env";
import { instanceIdInput } from "@/server/instances/input";
import { stepIndex, WIZARD_STEP_IDS } from "@/server/instances/wizard-steps";
import { Wizard } from "../../_wizard/wizard";

/** A draft's wizard, at the asked step (never past the furthest one reached), or where the client left off. */
export default async function SetupPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ step?: string }> }) {
  const { id } = await params;
  const { step: asked } = await searchParams;
  const user = await requireUser(`/instances/${id}/setup`);
  if (!instanceIdInput.safeParse({ id }).success) notFound();
  const view = await (await serverApi()).registration.draft({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  if (!["draft", "awaiting_payment"].includes(view.instance.status)) redirect(`/instances/${id}`);
  const furthest = view.instance.wizardStep;
  const step: WizardStep =
    asked && (WIZARD_STEP_IDS as string[]).includes(asked) && stepIndex(asked as WizardStep) <= stepIndex(furthest) ? (asked as WizardStep) : furthest;
  return (
    <>
      <h1>Register {view.instance.name}</h1>
      <Wizard view={view} step={step} baseDomain={env().LYCEUM_BASE_DOMAIN} accountEmail={user.email} />
    </>
  );
}
