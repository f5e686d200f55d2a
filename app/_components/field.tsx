// Labelled form controls with their error beside them (tests and screen readers find controls by label).
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { ErrorMessage } from "./error-message";

type Common = { label: string; name: string; error?: string | string[] | null; hint?: ReactNode };

function describedBy(controlId: string, hint: ReactNode, message: string | undefined) {
  return [hint ? `${controlId}-hint` : null, message ? `${controlId}-error` : null].filter(Boolean).join(" ") || undefined;
}

function FieldNotes({ controlId, hint, message }: { controlId: string; hint?: ReactNode; message?: string }) {
  return (
    <>
      {hint ? (
        <p id={`${controlId}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      <ErrorMessage id={`${controlId}-error`}>{message}</ErrorMessage>
    </>
  );
}

/** The label's text, with a visible mark when the control is required (the control itself says so to screen readers). */
function LabelText({ label, isRequired }: { label: string; isRequired?: boolean }) {
  return (
    <>
      {label}
      {isRequired ? (
        <span className="required-mark" aria-hidden="true">
          {" "}
          (required)
        </span>
      ) : null}
    </>
  );
}

const firstOf = (error: Common["error"]) => (Array.isArray(error) ? error[0] : (error ?? undefined));
const idOf = (id: string | undefined, name: string) => id ?? `field-${name.replaceAll(".", "-")}`;

export function Field({ label, name, error, hint, id, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const controlId = idOf(id, name);
  const message = firstOf(error);
  return (
    <div className="field">
      <label htmlFor={controlId}>
        <LabelText label={label} isRequired={input.required} />
      </label>
      <input id={controlId} aria-required={input.required ? true : undefined} name={name} aria-invalid={message ? true : undefined} aria-describedby={describedBy(controlId, hint, message)} {...input} />
      <FieldNotes controlId={controlId} hint={hint} message={message} />
    </div>
  );
}

export function TextAreaField({ label, name, error, hint, id, ...input }: Common & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const controlId = idOf(id, name);
  const message = firstOf(error);
  return (
    <div className="field">
      <label htmlFor={controlId}>
        <LabelText label={label} isRequired={input.required} />
      </label>
      <textarea id={controlId} aria-required={input.required ? true : undefined} name={name} aria-invalid={message ? true : undefined} aria-describedby={describedBy(controlId, hint, message)} {...input} />
      <FieldNotes controlId={controlId} hint={hint} message={message} />
    </div>
  );
}

export function SelectField({
  label,
  name,
  error,
  hint,
  id,
  options,
  ...select
}: Common & SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[] }) {
  const controlId = idOf(id, name);
  const message = firstOf(error);
  return (
    <div className="field">
      <label htmlFor={controlId}>
        <LabelText label={label} isRequired={select.required} />
      </label>
      <select id={controlId} aria-required={select.required ? true : undefined} name={name} aria-invalid={message ? true : undefined} aria-describedby={describedBy(controlId, hint, message)} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldNotes controlId={controlId} hint={hint} message={message} />
    </div>
  );
}

export function CheckboxField({ label, name, error, hint, id, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  const controlId = idOf(id, name);
  const message = firstOf(error);
  return (
    <div className="field">
      <label htmlFor={controlId} className="flex items-center gap-2 font-normal">
        <input type="checkbox" id={controlId} name={name} aria-describedby={describedBy(controlId, hint, message)} {...input} />
        {label}
      </label>
      <FieldNotes controlId={controlId} hint={hint} message={message} />
    </div>
  );
}
