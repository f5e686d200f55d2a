import { TRPCError } from "@trpc/server";
import { notFound, redirect } from "next/navigation";
import { LocalTime } from "@/app/_components/local-time";
import { serverApi } from "@/server/api/server-caller";
import { requireUser } from "@/server/auth/guards";
import { isStaff } from "@/server/auth/roles";
import { instanceIdInput } from "@/server/instances/input";
import { BackupsPanel } from "./backups-panel";
import { BillingNotice } from "./billing-notice";
import { CertificatesPanel } from "./certificates-panel";
import { AppServersPanel } from "./app-servers-panel";
import { InstanceLive } from "./instance-live";
import { UsagePanel } from "./usage-panel";
import { ReleasePanel } from "./release-panel";

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/instances/${id}`);
  if (!instanceIdInput.safeParse({ id }).success) notFound();
  const api = await serverApi();
  // Read alongside the instance (each checks access itself), but awaited only once it is known to be this
  // user's: until then a refusal is byId's to report (as a 404), so theirs are held back.
  const billingRead = api.billing.forInstance({ id });
  const certificatesRead = api.certificates.forInstance({ id });
  const usageRead = api.instances.usage({ id });
  for (const read of [billingRead, certificatesRead, usageRead]) read.catch(() => {});
  const view = await api.instances.byId({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  const { instance, events, siteUrl, resources, appServers } = view;
  if (instance.status === "draft") redirect(`/instances/${id}/setup`);
  const [billing, certificates, usage] = await Promise.all([billingRead, certificatesRead, usageRead]);
  return (
    <div className="stack">
      <div>
        <h1>{instance.name}</h1>
        <p className="text-slate-600">
          {instance.subdomain} · plan {instance.plan} · registered <LocalTime value={instance.createdAt} shown="date" />
        </p>

      </div>
      <BillingNotice instanceId={instance.id} initial={billing} />
      <InstanceLive
        instanceId={instance.id}
        subdomain={instance.subdomain}
        hostnameSource={{
          subdomain: instance.subdomain,
          customDomain: instance.customDomain,
          customDomainStatus: instance.customDomainStatus,
          hasNestedHostnames: instance.hasNestedHostnames,
        }}
        initialStatus={instance.status}
        initialEvents={events}
        initialSiteUrl={siteUrl}
        initialResources={resources}
        canDeprovision={isStaff(user)}
      >
        <BackupsPanel instanceId={instance.id} subdomain={instance.subdomain ?? ""} />
      </InstanceLive>
      <ReleasePanel instanceId={instance.id} subdomain={instance.subdomain ?? ""} />
      <AppServersPanel {...appServers} />
      {["running", "suspended"].includes(instance.status) ? <UsagePanel usage={usage} /> : null}
      <CertificatesPanel certificates={certificates} />
    </div>
  );
}
