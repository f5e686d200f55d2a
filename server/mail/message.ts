import { z } from "zod";

/** An email the portal sends; queued as a `send_email` job and delivered by the worker. */
export const emailMessage = z.object({
  to: z.email(),
  subject: z.string().min(1).max(200),
  text: z.string().min(1),
  html: z.string().optional(),
  /** Shown in logs instead of the body (which may hold a one-time link). */
  purpose: z.string().max(60),
});

export type EmailMessage = z.infer<typeof emailMessage>;
