// A labelled form control with its error beside it (tests and screen readers find controls by label).
import type { InputHTMLAttributes, ReactNode } from "react";

type FieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  name: string;
  error?: string | string[] | null;
  hint?: ReactNode;
};

export function Field({ label, name, error, hint, id, ...input }: FieldProps) {
  const controlId = id ?? `field-${name}`;
  const message = Array.isArray(error) ? error[0] : error;
  const describedBy = [hint ? `${controlId}-hint` : null, message ? `${controlId}-error` : null].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={controlId}>{label}</label>
      <input
        id={controlId}
        name={name}
        aria-invalid={message ? true : undefined}
        aria-describedby={describedBy || undefined}
        {...input}
      />
      {hint ? (
        <p id={`${controlId}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {message ? (
        <p id={`${controlId}-error`} className="error" role="alert">
          {message}
        </p>
      ) : null}
    </div>
  );
}
