// Field-level error messages keyed by the field's dotted path ("smtp.host"), from zod issues: the forms
// and the server use the same schemas, so both produce the same messages for the same input.
import type { z } from "zod";

export type FieldErrors = Record<string, string[]>;

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}
