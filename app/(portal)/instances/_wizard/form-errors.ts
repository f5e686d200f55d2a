// Turning a failed tRPC call into messages next to fields (or one for the form), as the forms show them.
import type { z } from "zod";
import { fieldErrorsOf, type FieldErrors } from "@/server/forms/field-errors";

type FormErrors = { fields: FieldErrors; form: string | null };
export const NO_ERRORS: FormErrors = { fields: {}, form: null };

export function errorsFromZod(error: z.ZodError): FormErrors {
  return { fields: fieldErrorsOf(error), form: null };
}

export function errorsFromCall(error: unknown): FormErrors {
  const data = (error as { data?: { fieldErrors?: FieldErrors | null } }).data;
  if (data?.fieldErrors && Object.keys(data.fieldErrors).length > 0) return { fields: data.fieldErrors, form: null };
  return { fields: {}, form: (error as Error).message || "Something went wrong. Try again." };
}

/** The errors of one field: its own, and any about its parts (e.g. "smtp.port" for "smtp"). */
export function errorFor(errors: FormErrors, path: string): string | undefined {
  return errors.fields[path]?.[0];
}
