// A server-side refusal about one form field, in the shape the forms read (data.fieldErrors).
import { TRPCError } from "@trpc/server";
import { z } from "zod";

/** A refusal about one field that only the server can know (a subdomain just taken), shaped like zod's. */
export function fieldError(code: "CONFLICT" | "BAD_REQUEST", path: string, message: string) {
  const cause = new z.ZodError([{ code: "custom", path: path.split("."), message, input: undefined }]);
  return new TRPCError({ code, message, cause });
}
