// The Email step: who the instance's emails come from, and which server sends them.
import { z } from "zod";
import { emailSchema } from "@/server/accounts/credentials";

export const TLS_MODES = ["none", "starttls", "tls"] as const;
type TlsMode = (typeof TLS_MODES)[number];
export const TLS_MODE_LABELS: Record<TlsMode, string> = {
  none: "None (unencrypted)",
  starttls: "STARTTLS (usually port 587)",
  tls: "TLS (usually port 465)",
};

const smtpHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, { message: "Enter your mail server's name, like smtp.school.org.", abort: true })
  .max(253, "That server name is too long.")
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\d{1,3}(?:\.\d{1,3}){3}$/,
    "Enter a server name like smtp.school.org, or an IP address.",
  );

const smtpPortSchema = z.coerce
  .number({ error: "Enter a port number, like 587." })
  .int("Enter a whole port number, like 587.")
  .min(1, "A port is a number from 1 to 65535.")
  .max(65535, "A port is a number from 1 to 65535.");

export const ownSmtpSchema = z.object({
  host: smtpHostSchema,
  port: smtpPortSchema,
  tls: z.enum(TLS_MODES, { error: "Choose how the connection is encrypted." }),
  user: z.string().trim().max(200, "That user name is too long.").default(""),
});

export type OwnSmtp = z.infer<typeof ownSmtpSchema>;

/** What the instance row keeps (the password is sealed in its own column, never in here). */
export const emailSettingsSchema = z.discriminatedUnion("relay", [
  z.object({
    relay: z.literal("platform"),
    senderName: z.string().trim().min(1, "Enter the name your emails come from.").max(100, "Use at most 100 characters."),
    senderAddress: emailSchema,
  }),
  z.object({
    relay: z.literal("own"),
    senderName: z.string().trim().min(1, "Enter the name your emails come from.").max(100, "Use at most 100 characters."),
    senderAddress: emailSchema,
    smtp: ownSmtpSchema,
  }),
]);

export type EmailSettings = z.infer<typeof emailSettingsSchema>;

/**
 * What the client submits: the settings, plus a password. An empty password keeps the saved one (the
 * browser never receives it back, so it cannot resend it).
 */
export const emailSettingsInput = z
  .object({
    senderName: z.string(),
    senderAddress: z.string(),
    relay: z.enum(["platform", "own"], { error: "Choose which server sends your emails." }),
    smtp: z
      .object({ host: z.string(), port: z.union([z.string(), z.number()]), tls: z.string(), user: z.string().default("") })
      .optional(),
    password: z.string().max(500, "That password is too long.").default(""),
  })
  .transform((raw, ctx) => {
    const parsed = emailSettingsSchema.safeParse(
      raw.relay === "own"
        ? { relay: "own", senderName: raw.senderName, senderAddress: raw.senderAddress, smtp: raw.smtp ?? {} }
        : { relay: "platform", senderName: raw.senderName, senderAddress: raw.senderAddress },
    );
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: "custom", path: issue.path });
      return z.NEVER;
    }
    return { settings: parsed.data, password: raw.password };
  });
