// A refusal about one form field that only the server can know (a subdomain just taken, a mail server inside our
// network). The API layer answers it like a failed input check, so the form shows the message next to the field.
import { z } from "zod";

export class FieldRefusedError extends Error {
  constructor(
    /** The field's dotted path, as the form names it ("smtp.host"). */
    readonly path: string,
    message: string,
    /** Taken by someone else (a conflict), rather than not acceptable as typed. */
    readonly isConflict = false,
  ) {
    // The cause is the ZodError a failing parse of that field would give: the forms read field messages from it.
    // It is made by a failing parse, not `new z.ZodError(…)`: zod 4 builds that one without Error's prototype.
    super(message, {
      cause: z
        .unknown()
        .superRefine((_value, ctx) => ctx.addIssue({ code: "custom", path: path.split("."), message }))
        .safeParse(undefined).error!,
    });
  }
}
