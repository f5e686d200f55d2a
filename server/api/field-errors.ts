// Errors about one form field, keyed by the field's dotted path ("smtp.host"): the forms and the server use the
// same schemas, so both produce the same messages for the same input; a refusal only the server can make is
// shaped the same way.
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
  // Made by a failing parse, not `new z.ZodError(…)`: zod 4 builds that one without Error's prototype, so tRPC
  // wraps it as an unknown cause and the form never sees the message next to the field.
  const cause = z
    .unknown()
    .superRefine((_value, ctx) => ctx.addIssue({ code: "custom", path: path.split("."), message }))
    .safeParse(undefined).error!;
  return new TRPCError({ code, message, cause });
}
