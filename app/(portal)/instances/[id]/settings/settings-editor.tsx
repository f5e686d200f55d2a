"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { BrandingForm } from "@/app/(portal)/instances/_wizard/branding-form";
import { BrandingImages } from "@/app/(portal)/instances/_wizard/branding-images";
import { EmailForm } from "@/app/(portal)/instances/_wizard/email-form";
import { ErrorMessage } from "@/app/_components/error-message";
import { useTRPC } from "@/app/_trpc/client";
import type { DraftView } from "@/server/instances/draft-view";
import type { SettingsDifference } from "@/server/instances/site-config";

type Props = {
  view: DraftView;
  differences: SettingsDifference[];
  activeOperation: { id: string; kind: string; status: string; isOwnersToCancel: boolean } | null;
};

function SaveDraftButton({ isBusy, formError }: { isBusy: boolean; formError: string | null }) {
  return (
    <>
      <ErrorMessage>{formError}</ErrorMessage>
      <button type="submit" className="button button-secondary" disabled={isBusy}>
        Save draft
      </button>
    </>
  );
}

export function SettingsEditor({ view, differences, activeOperation }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const refresh = () => router.refresh();
  const apply = useMutation(trpc.settings.applyChanges.mutationOptions({ onSuccess: refresh }));
  const cancel = useMutation(trpc.settings.cancelChange.mutationOptions({ onSuccess: refresh }));
  // A compute driver that cannot change a running server (OVH) applies the changes by redeploying.
  const isApplying = activeOperation?.kind === "reconfigure" || activeOperation?.kind === "redeploy";

  return (
    <>
      <section className="card stack" aria-labelledby="changes-heading">
        <h2 id="changes-heading" className="mt-0">
          Draft changes
        </h2>
        {differences.length === 0 ? (
          <p data-testid="no-differences">Your draft is the same as what your site runs.</p>
        ) : (
          <div className="table-scroll" tabIndex={0}>
          <table className="data" data-testid="settings-differences">
            <thead>
              <tr>
                <th>Setting</th>
                <th>Deployed</th>
                <th>Draft</th>
              </tr>
            </thead>
            <tbody>
              {differences.map((difference) => (
                <tr key={difference.field} className="diff-changed">
                  <td>{difference.field}</td>
                  <td>{difference.deployed}</td>
                  <td>{difference.draft}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
        <div className="flex items-center gap-3">
          <button type="button" className="button" onClick={() => apply.mutate({ id: view.instance.id })} disabled={apply.isPending || differences.length === 0}>
            Apply changes
          </button>
          {/* Billing's plan changes are reconfigures and redeploys too, but not the owner's to stop. */}
          {isApplying && activeOperation.isOwnersToCancel ? (
            <button type="button" className="button button-secondary" onClick={() => cancel.mutate({ id: view.instance.id })} disabled={cancel.isPending}>
              {activeOperation.status === "queued" ? "Cancel the queued change" : "Stop applying"}
            </button>
          ) : null}
        </div>
        {isApplying ? <p role="status">Your changes are being applied ({activeOperation.status}); progress appears below.</p> : null}
        <ErrorMessage>{apply.error?.message ?? cancel.error?.message}</ErrorMessage>
      </section>
      <section className="card" aria-labelledby="branding-heading">
        <h2 id="branding-heading" className="mt-0">
          Branding and pages
        </h2>
        <BrandingForm view={view} images={<BrandingImages view={view} />} onSaved={refresh} buttons={(state) => <SaveDraftButton {...state} />} />
      </section>
      <section className="card" aria-labelledby="email-heading">
        <h2 id="email-heading" className="mt-0">
          Email
        </h2>
        <EmailForm view={view} onSaved={refresh} buttons={(state) => <SaveDraftButton {...state} />} />
      </section>
    </>
  );
}
