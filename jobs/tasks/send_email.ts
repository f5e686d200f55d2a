import type { Task } from "graphile-worker";
import { deliverEmail } from "@/server/mail/transport";
import { emailMessage } from "@/server/mail/message";

export const send_email: Task = async (payload, helpers) => {
  const message = emailMessage.parse(payload);
  const { messageId } = await deliverEmail(message);
  helpers.logger.info(`sent ${message.purpose} email to ${message.to} (${messageId})`);
};
