// A labelled <select> (the filter forms of the staff pages); options are [value, label] pairs.
import type { SelectHTMLAttributes } from "react";

type SelectFieldProps = SelectHTMLAttributes<HTMLSelectElement> & {
  label: string;
  name: string;
  options: readonly (readonly [value: string, label: string])[];
};

export function SelectField({ label, name, options, id, ...select }: SelectFieldProps) {
  const controlId = id ?? `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={controlId}>{label}</label>
      <select id={controlId} name={name} {...select}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
