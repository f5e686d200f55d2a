"use client";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Field, TextAreaField } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import type { DraftView } from "@/server/instances/draft-view";
import { instanceProfileInput } from "@/server/instances/profile";
import { errorFor, errorsFromCall, errorsFromZod, NO_ERRORS } from "./form-errors";
import { RequiredFieldsNote, StepButtons, stepHref } from "./step-nav";
import { useSaveThenGo } from "./use-save-then-go";

export function InstanceStep({ view, accountEmail }: { view: DraftView | null; accountEmail: string }) {
  const trpc = useTRPC();
  const instance = view?.instance;
  // This wizard session's key for the draft it makes: a doubled or retried first submit finds that draft.
  const [creationKey] = useState(() => crypto.randomUUID());
  const { saveThenGo, isBusy } = useSaveThenGo();
  const [values, setValues] = useState({
    name: instance?.name ?? "",
    contactEmail: instance?.contactEmail ?? accountEmail,
    description: instance?.description ?? "",
    privacyPolicyUrl: instance?.privacyPolicyUrl ?? "",
  });
  const [errors, setErrors] = useState(NO_ERRORS);
  const save = useMutation(trpc.registration.saveInstance.mutationOptions());
  const resend = useMutation(trpc.registration.resendContactVerification.mutationOptions());
  const set = (key: keyof typeof values) => (event: { target: { value: string } }) => setValues({ ...values, [key]: event.target.value });

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const parsed = instanceProfileInput.safeParse(values);
    if (!parsed.success) return setErrors(errorsFromZod(parsed.error));
    setErrors(NO_ERRORS);
    try {
      await saveThenGo(async () => {
        const { id } = await save.mutateAsync({ id: instance?.id, creationKey: instance ? undefined : creationKey, values: parsed.data });
        return stepHref(id, "domain");
      });
    } catch (error) {
      setErrors(errorsFromCall(error));
    }
  }

  const isOtherContact = instance?.contactEmail && instance.contactEmail !== accountEmail;
  return (
    <form onSubmit={onSubmit} className="card stack" noValidate aria-label="Instance">
      <h2 className="mt-0">Your instance</h2>
      <RequiredFieldsNote />
      <Field label="Instance name" name="name" value={values.name} onChange={set("name")} error={errorFor(errors, "name")} required />
      <Field
        label="Public contact email"
        name="contactEmail"
        type="email"
        value={values.contactEmail}
        onChange={set("contactEmail")}
        error={errorFor(errors, "contactEmail")}
        hint="Shown to your learners. An address other than your account's gets its own confirmation link."
        required
      />
      {isOtherContact ? (
        <p className="hint" data-testid="contact-status">
          {view?.isContactEmailVerified ? (
            `${instance.contactEmail} is confirmed.`
          ) : (
            <>
              We sent a confirmation link to {instance.contactEmail}.{" "}
              <button type="button" className="link-button" onClick={() => resend.mutate({ id: instance.id })} disabled={resend.isPending}>
                {resend.isSuccess ? "Sent again" : "Send it again"}
              </button>
            </>
          )}
        </p>
      ) : null}
      <TextAreaField
        label="Short description"
        name="description"
        rows={3}
        value={values.description}
        onChange={set("description")}
        error={errorFor(errors, "description")}
        hint="Optional. A sentence or two about what you teach (at most 500 characters)."
      />
      <Field
        label="Privacy policy URL"
        name="privacyPolicyUrl"
        type="url"
        value={values.privacyPolicyUrl}
        onChange={set("privacyPolicyUrl")}
        error={errorFor(errors, "privacyPolicyUrl")}
        hint={
          <>
            Required: your site collects learners&apos; personal data, so it must say how it handles it. Open edX links this page from
            the registration form and every page&apos;s footer. The full address, starting with https://.
          </>
        }
        required
      />
      <StepButtons instanceId={instance?.id ?? null} back={null} isBusy={isBusy} formError={errors.form} />
    </form>
  );
}
