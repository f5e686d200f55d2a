// A server-side refusal about one form field, in the shape the forms read (data.fieldErrors).
import { TRPCError } from "@trpc/server";
import { z } from "zod";

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
