"use client";
// The wizard's Branding and Email steps: the shared forms, saving then moving on.
import { useRouter } from "next/navigation";
import type { DraftView } from "@/server/instances/draft-view";
import { BrandingForm } from "./branding-form";
import { BrandingImages } from "./branding-images";
import { EmailForm } from "./email-form";
import { StepButtons, stepHref } from "./step-nav";

export function BrandingStep({ view }: { view: DraftView }) {
  const router = useRouter();
  return (
    <section className="card">
      <h2 className="mt-0">Branding</h2>
      <BrandingForm
        view={view}
        images={<BrandingImages view={view} />}
        onSaved={() => router.push(stepHref(view.instance.id, "email"))}
        buttons={({ isBusy, formError }) => <StepButtons instanceId={view.instance.id} back="domain" isBusy={isBusy} formError={formError} />}
      />
    </section>
  );
}

export function EmailStep({ view }: { view: DraftView }) {
  const router = useRouter();
  return (
    <section className="card">
      <h2 className="mt-0">Email</h2>
      <EmailForm
        view={view}
        onSaved={() => router.push(stepHref(view.instance.id, "plan"))}
        buttons={({ isBusy, formError }) => <StepButtons instanceId={view.instance.id} back="branding" isBusy={isBusy} formError={formError} />}
      />
    </section>
  );
}
