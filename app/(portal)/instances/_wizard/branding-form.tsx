"use client";
// Theme colours (with the contrast warnings a client can accept), images and static pages. Used by the
// wizard's Branding step and, after launch, by the instance's settings page.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent, type ReactNode } from "react";
import { CheckboxField, Field, TextAreaField } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import { brandingInput, COLOUR_FIELD_NAMES, COLOUR_FIELDS, contrastWarnings, type ColourField } from "@/server/branding/branding";
import { STATIC_PAGE_IDS, STATIC_PAGES, type StaticPages } from "@/server/branding/static-pages";
import type { DraftView } from "@/server/instances/draft-view";
import { errorFor, errorsFromCall, errorsFromZod, NO_ERRORS } from "./form-errors";
import { ThemePreview } from "./theme-preview";

export function BrandingForm({
  view,
  onSaved,
  buttons,
  images,
}: {
  view: DraftView;
  onSaved: () => void;
  buttons: (state: { isBusy: boolean; formError: string | null }) => ReactNode;
  images?: ReactNode;
}) {
  const trpc = useTRPC();
  const [colours, setColours] = useState<Record<ColourField, string>>({
    mainColor: view.branding.mainColor,
    linkColor: view.branding.linkColor,
    headerBackground: view.branding.headerBackground,
    footerBackground: view.branding.footerBackground,
  });
  const [acceptLowContrast, setAcceptLowContrast] = useState(view.branding.acceptLowContrast);
  const [pages, setPages] = useState<StaticPages>(view.staticPages);
  const [errors, setErrors] = useState(NO_ERRORS);
  const save = useMutation(trpc.registration.saveBranding.mutationOptions());
  const warnings = contrastWarnings(colours);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const values = { ...colours, acceptLowContrast, pages };
    const parsed = brandingInput.safeParse(values);
    if (!parsed.success) return setErrors(errorsFromZod(parsed.error));
    setErrors(NO_ERRORS);
    try {
      await save.mutateAsync({ id: view.instance.id, values: parsed.data });
      onSaved();
    } catch (error) {
      setErrors(errorsFromCall(error));
    }
  }

  const logo = view.branding.logo;
  return (
    <form onSubmit={onSubmit} className="stack" noValidate aria-label="Branding">
      <div className="grid gap-6 md:grid-cols-2">
        <fieldset className="stack">
          <legend className="font-semibold">Colours</legend>
          {COLOUR_FIELD_NAMES.map((field) => {
            const warning = warnings.find((w) => w.field === field);
            return (
              <div key={field} className="flex items-start gap-2">
                <div className="grow">
                  <Field
                    label={COLOUR_FIELDS[field].label}
                    name={field}
                    value={colours[field]}
                    onChange={(e) => setColours({ ...colours, [field]: e.target.value })}
                    error={errorFor(errors, field)}
                    hint={warning && !errorFor(errors, field) ? <span className="level-warn">{warning.message}</span> : undefined}
                    spellCheck={false}
                  />
                </div>
                <input
                  type="color"
                  aria-label={`${COLOUR_FIELDS[field].label} picker`}
                  value={/^#[0-9a-f]{6}$/i.test(colours[field]) ? colours[field] : "#000000"}
                  onChange={(e) => setColours({ ...colours, [field]: e.target.value })}
                  className="mt-7 h-10 w-12"
                />
              </div>
            );
          })}
          {warnings.length > 0 ? (
            <CheckboxField
              label="Use these colours anyway"
              name="acceptLowContrast"
              checked={acceptLowContrast}
              onChange={(e) => setAcceptLowContrast(e.target.checked)}
              hint="Low-contrast text is hard to read for many people. You can still choose it."
            />
          ) : null}
        </fieldset>
        <div>
          <p className="font-semibold">Preview</p>
          <ThemePreview name={view.instance.name} colours={colours} logoUrl={logo ? `/api/assets/${view.instance.id}/logo?v=${logo.sha256}` : null} />
        </div>
      </div>
      {images}
      <fieldset className="stack">
        <legend className="font-semibold">Static pages</legend>
        <p className="hint">Write each page in Markdown. Raw HTML is shown as text, and scripts never run.</p>
        {STATIC_PAGE_IDS.map((id) => (
          <div key={id} className="stack rounded border border-slate-200 p-3">
            <CheckboxField
              label={`Show the ${STATIC_PAGES[id].title} page`}
              name={`pages.${id}.isVisible`}
              checked={pages[id].isVisible}
              onChange={(e) => setPages({ ...pages, [id]: { ...pages[id], isVisible: e.target.checked } })}
            />
            {pages[id].isVisible ? (
              <TextAreaField
                label={`${STATIC_PAGES[id].title} page (Markdown)`}
                name={`pages.${id}.markdown`}
                rows={5}
                value={pages[id].markdown}
                onChange={(e) => setPages({ ...pages, [id]: { ...pages[id], markdown: e.target.value } })}
                error={errorFor(errors, `pages.${id}.markdown`)}
              />
            ) : null}
          </div>
        ))}
      </fieldset>
      {buttons({ isBusy: save.isPending, formError: errors.form })}
    </form>
  );
}
