"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import { VerifyEmailNotice } from "@/app/_components/verify-email-notice";
import { useTRPC } from "@/app/_trpc/client";
import { COLOUR_FIELD_NAMES, COLOUR_FIELDS, IMAGE_SLOTS } from "@/server/branding/branding";
import { IMAGE_RULES } from "@/server/branding/image-rules";
import { STATIC_PAGE_IDS, STATIC_PAGES } from "@/server/branding/static-pages";
import { formatPrice, PLANS } from "@/server/billing/plans";
import type { DraftView } from "@/server/instances/draft-view";
import { TLS_MODE_LABELS } from "@/server/mail/smtp-settings";
import { stepHref } from "./step-nav";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="font-semibold">{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

export function ReviewStep({ view }: { view: DraftView }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [formError, setFormError] = useState<string | null>(null);
  const submit = useMutation(trpc.registration.submit.mutationOptions());
  const { instance, branding, staticPages } = view;
  const plan = PLANS.find((p) => p.id === instance.plan);
  const email = instance.emailSettings;
  const edit = (step: Parameters<typeof stepHref>[1]) => (
    <Link href={stepHref(instance.id, step)} className="text-sm" aria-label={`Change the ${step} settings`}>
      Change
    </Link>
  );

  async function pay() {
    setFormError(null);
    try {
      const { url } = await submit.mutateAsync({ id: instance.id });
      if (url.startsWith("/")) router.push(url);
      else window.location.assign(url);
    } catch (error) {
      setFormError((error as Error).message);
    }
  }

  return (
    <div className="stack">
      {!view.isAccountVerified ? <VerifyEmailNotice email={view.accountEmail} /> : null}
      <section className="card" aria-labelledby="review-instance">
        <h2 id="review-instance" className="mt-0 flex justify-between">
          Instance {edit("instance")}
        </h2>
        <dl className="review">
          <Row label="Name">{instance.name}</Row>
          <Row label="Contact email">
            {instance.contactEmail} {view.isContactEmailVerified ? "(confirmed)" : "(not confirmed yet)"}
          </Row>
          <Row label="Description">{instance.description || "—"}</Row>
          <Row label="Privacy policy">{instance.privacyPolicyUrl}</Row>
        </dl>
      </section>
      <section className="card" aria-labelledby="review-domain">
        <h2 id="review-domain" className="mt-0 flex justify-between">
          Domain {edit("domain")}
        </h2>
        <dl className="review">
          <Row label="Learning site">{view.hostnames?.lms ?? "—"}</Row>
          <Row label="Studio">{view.hostnames?.studio ?? "—"}</Row>
          <Row label="Custom domain">
            {view.customDomainShown ? `${view.customDomainShown} (${instance.customDomainStatus ?? "pending"})` : "none"}
          </Row>
        </dl>
      </section>
      <section className="card" aria-labelledby="review-branding">
        <h2 id="review-branding" className="mt-0 flex justify-between">
          Branding {edit("branding")}
        </h2>
        <dl className="review">
          {COLOUR_FIELD_NAMES.map((field) => (
            <Row key={field} label={COLOUR_FIELDS[field].label}>
              <span className="swatch" style={{ background: branding[field] }} /> {branding[field]}
            </Row>
          ))}
          {IMAGE_SLOTS.map((slot) => {
            const image = branding[slot];
            return (
              <Row key={slot} label={IMAGE_RULES[slot].label.replace(" (optional)", "")}>
                {image ? `${image.contentType.replace("image/", "").toUpperCase()}${image.width ? `, ${image.width} × ${image.height} px` : ""}` : "none"}
              </Row>
            );
          })}
          <Row label="Pages shown">
            {STATIC_PAGE_IDS.filter((id) => staticPages[id].isVisible)
              .map((id) => STATIC_PAGES[id].title)
              .join(", ") || "none"}
          </Row>
        </dl>
      </section>
      <section className="card" aria-labelledby="review-email">
        <h2 id="review-email" className="mt-0 flex justify-between">
          Email {edit("email")}
        </h2>
        <dl className="review">
          <Row label="Sender">{email ? `${email.senderName} <${email.senderAddress}>` : "—"}</Row>
          <Row label="Server">
            {email?.relay === "own" ? `${email.smtp.host}:${email.smtp.port}, ${TLS_MODE_LABELS[email.smtp.tls]}` : "Lyceum's mail relay"}
          </Row>
        </dl>
      </section>
      <section className="card" aria-labelledby="review-plan">
        <h2 id="review-plan" className="mt-0 flex justify-between">
          Plan {edit("plan")}
        </h2>
        <p>{plan ? `${plan.name} — ${formatPrice(plan.priceMonthlyCents)} / month` : "—"}</p>
      </section>
      {view.problems.length > 0 ? (
        <ul className="notice" aria-label="Before you can pay">
          {view.problems.map((problem) => (
            <li key={problem.message}>{problem.message}</li>
          ))}
        </ul>
      ) : null}
      <ErrorMessage>{formError}</ErrorMessage>
      <div className="flex items-center gap-3">
        <Link href={stepHref(instance.id, "plan")} className="button button-secondary">
          Back
        </Link>
        <button type="button" className="button" onClick={pay} disabled={submit.isPending || view.problems.length > 0}>
          Continue to payment
        </button>
      </div>
    </div>
  );
}
