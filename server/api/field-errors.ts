// Field-level error messages keyed by the field's dotted path ("smtp.host"), from zod issues: the forms
// and the server use the same schemas, so both produce the same messages for the same input.
import { TRPCError } from "@trpc/server";
import { z } from "zod";

export type FieldErrors = Record<string, string[]>;

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".");
    (errors[key] ??= []).push(issue.message);
  }
  return errors;
}

/** A refusal about one field that only the server can know (a subdomain just taken), shaped like zod's. */
export function fieldError(code: "CONFLICT" | "BAD_REQUEST", path: string, message: string) {
  const cause = new z.ZodError([{ code: "custom", path: path.split("."), message, input: undefined }]);
  return new TRPCError({ code, message, cause });
}
