// Emails about an instance's life: to its owner when it is running, when provisioning failed for good and
// when staff changed it; to staff when any pipeline failed after its last retry. Each is queued in the
// caller's transaction (enqueueEmail), so it goes out only if what it announces was committed.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { users, type Instance, type InstanceOperation } from "@/db/schema";
import { env } from "@/server/env";
import { enqueueEmail } from "@/server/mail/enqueue";
import { truncateErrorText } from "@/server/observability/error-text";
import { scrubSecrets } from "@/server/observability/redact";

/** The owner's account email (null once the account is gone). */
export async function ownerEmailOf(q: Queryable, instance: Pick<Instance, "ownerId">): Promise<string | null> {
  const [owner] = await q.select({ email: users.email }).from(users).where(eq(users.id, instance.ownerId)).limit(1);
  return owner?.email ?? null;
}

function instancePageUrl(instance: Pick<Instance, "id">) {
  return `${env().publicUrl}/instances/${instance.id}`;
}

export async function emailOwnerInstanceRunning(q: Queryable, instance: Instance, siteUrl: string | null) {
  const to = await ownerEmailOf(q, instance);
  if (!to) return;
  await enqueueEmail(q, {
    to,
    subject: `"${instance.name}" is up and running`,
    text: [
      `Your Open edX site "${instance.name}" is running${siteUrl ? ` at ${siteUrl}` : ""}.`,
      "",
      `Everything that happened while we set it up is on its page: ${instancePageUrl(instance)}`,
      "",
      "— Lyceum",
    ].join("\n"),
    purpose: "instance-running",
  });
}

export async function emailOwnerProvisioningFailed(q: Queryable, instance: Instance, error: Error) {
  const to = await ownerEmailOf(q, instance);
  if (!to) return;
  await enqueueEmail(q, {
    to,
    subject: `We could not finish setting up "${instance.name}"`,
    text: [
      `Setting up your Open edX site "${instance.name}" stopped after several attempts:`,
      `  ${truncateErrorText(scrubSecrets(error.message, [instance.id]))}`,
      "",
      "Our team has been alerted and will get back to you; you do not need to do anything now.",
      `What happened, step by step: ${instancePageUrl(instance)}`,
      "",
      "— Lyceum",
    ].join("\n"),
    purpose: "provisioning-failed",
  });
}

/** To every address in LYCEUM_STAFF_ALERT_EMAILS: an operation gave up after its last attempt. */
export async function alertStaffOperationFailed(q: Queryable, instance: Instance, operation: InstanceOperation, error: Error) {
  const { staffAlertEmails, publicUrl } = env();
  for (const to of staffAlertEmails) {
    await enqueueEmail(q, {
      to,
      subject: `[Lyceum] ${operation.kind} failed for ${instance.subdomain}`,
      text: [
        `The ${operation.kind} of "${instance.name}" (${instance.subdomain}, instance ${instance.id}) failed after its last retry:`,
        `  ${truncateErrorText(scrubSecrets(error.message, [instance.id]))}`,
        "",
        `Operation ${operation.id}, started ${operation.startedAt?.toISOString() ?? "never"}.`,
        `Staff view: ${publicUrl}/staff/instances/${instance.id}`,
      ].join("\n"),
      purpose: "staff-alert-operation-failed",
    });
  }
}

/** A staff action changed the instance: the owner hears it from us, in words meant for them. */
export async function emailOwnerStaffAction(q: Queryable, instance: Instance, notice: { subject: string; text: string }) {
  const to = await ownerEmailOf(q, instance);
  if (!to) return;
  await enqueueEmail(q, {
    to,
    subject: notice.subject,
    text: [notice.text, "", `Your instance's page: ${instancePageUrl(instance)}`, "", "— Lyceum"].join("\n"),
    purpose: "staff-action",
  });
}

/**
 * The instance runs an end-of-life release: the owner may upgrade it before `deadline`; after it Lyceum does, in the
 * instance's upgrade window (described in UTC, the zone it is stored in).
 */
export async function emailOwnerEndOfLife(
  q: Queryable,
  instance: Instance,
  notice: { releaseLabel: string; targetLabel: string | null; deadline: Date; windowUtc: string },
) {
  const to = await ownerEmailOf(q, instance);
  if (!to) return;
  const deadline = notice.deadline.toISOString().replace(".000Z", "Z");
  await enqueueEmail(q, {
    to,
    subject: `"${instance.name}" runs ${notice.releaseLabel}, which has reached end of life: upgrade before ${deadline.slice(0, 10)}`,
    text: [
      `Your Open edX site "${instance.name}" runs ${notice.releaseLabel}, which no longer receives fixes.`,
      "",
      `Upgrade it before ${deadline} from its page (Open edX release)${notice.targetLabel ? `, for instance to ${notice.targetLabel}` : ""}. It is backed up first, keeps serving while the new release is checked, and can be rolled back for a while afterwards.`,
      `After that date Lyceum upgrades it${notice.targetLabel ? ` to ${notice.targetLabel}` : ""} in its upgrade window (${notice.windowUtc} UTC), which you can change in its settings.`,
      "",
      `Your instance's page: ${instancePageUrl(instance)}`,
      "",
      "— Lyceum",
    ].join("\n"),
    purpose: "end-of-life-notice",
  });
}
