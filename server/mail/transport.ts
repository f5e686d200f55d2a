// The platform's outgoing mail relay (AuthSMTP in production, a local catcher in development).
import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/server/env";
import type { EmailMessage } from "./message";

let cached: Transporter | undefined;

function platformTransport(): Transporter {
  cached ??= nodemailer.createTransport(env().LYCEUM_SMTP_URL);
  return cached;
}

export async function deliverEmail(message: EmailMessage, transport: Transporter = platformTransport()) {
  const info = await transport.sendMail({
    from: env().LYCEUM_MAIL_FROM,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
  });
  return { messageId: info.messageId as string };
}
