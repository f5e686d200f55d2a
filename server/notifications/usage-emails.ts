// Emails about an instance's use of its plan (server/usage/measure.ts): to its owner and to every address in
// LYCEUM_STAFF_ALERT_EMAILS, queued in the measurement's transaction so each crossing is announced once.
import type { Queryable } from "@/db";
import type { Instance } from "@/db/schema";
import { env } from "@/server/env";
import { enqueueEmail } from "@/server/mail/enqueue";
import { ownerEmailOf } from "./instance-emails";

export type UsageNotice = { subject: string; lines: string[]; purpose: string };

export async function emailUsageNotice(q: Queryable, instance: Instance, notice: UsageNotice) {
  const { staffAlertEmails, publicUrl } = env();
  const owner = await ownerEmailOf(q, instance);
  if (owner) {
    await enqueueEmail(q, {
      to: owner,
      subject: `"${instance.name}": ${notice.subject}`,
      text: [...notice.lines, "", `Your instance's usage and plan: ${publicUrl}/instances/${instance.id}`, "", "— Lyceum"].join("\n"),
      purpose: notice.purpose,
    });
  }
  for (const to of staffAlertEmails) {
    await enqueueEmail(q, {
      to,
      subject: `[Lyceum] ${instance.subdomain ?? instance.id}: ${notice.subject}`,
      text: [`"${instance.name}" (${instance.subdomain}, instance ${instance.id}, plan ${instance.plan}):`, ...notice.lines, "", `Staff view: ${publicUrl}/staff/instances/${instance.id}`].join("\n"),
      purpose: `staff-${notice.purpose}`.slice(0, 60),
    });
  }
}
