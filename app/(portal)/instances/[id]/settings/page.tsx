import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { instanceIdInput } from "@/server/instances/input";
import { InstanceLive } from "../instance-live";
import { CertificateUploadForm } from "./certificate-upload-form";
import { SettingsEditor } from "./settings-editor";
import { UpgradeWindowForm } from "./upgrade-window-form";

/** A live instance's branding, pages and email: edited as a draft, compared with what runs, then applied. */
export default async function InstanceSettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireUser(`/instances/${id}/settings`);
  if (!instanceIdInput.safeParse({ id }).success) notFound();
  const api = await serverApi();
  const [view, comparison, live, upgradeWindow] = await Promise.all([
    api.registration.draft({ id }),
    api.settings.comparison({ id }),
    api.instances.byId({ id }),
    api.settings.upgradeWindow({ id }),
  ]).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  if (!["running", "suspended"].includes(view.instance.status)) redirect(`/instances/${id}`);
  return (
    <div className="stack">
      <div>
        <h1>Settings of {view.instance.name}</h1>
        <Link href={`/instances/${id}`}>Back to the instance</Link>
      </div>
      <SettingsEditor view={view} differences={comparison.differences} activeOperation={comparison.activeOperation} />
      <UpgradeWindowForm instanceId={id} chosen={upgradeWindow.chosen} fallback={upgradeWindow.default} />
      {/* The page is for admins already (registration.draft is): the upload asks the same role. */}
      {view.instance.customDomain ? (
        <CertificateUploadForm instanceId={id} customDomain={view.customDomainShown ?? view.instance.customDomain} />
      ) : null}
      <InstanceLive
        instanceId={id}
        hostnameSource={{
          subdomain: live.instance.subdomain,
          customDomain: live.instance.customDomain,
          customDomainStatus: live.instance.customDomainStatus,
          hasNestedHostnames: live.instance.hasNestedHostnames,
        }}
        initialStatus={live.instance.status} initialEvents={live.events} initialSiteUrl={live.siteUrl} showSettingsLink={false} />
    </div>
  );
}
