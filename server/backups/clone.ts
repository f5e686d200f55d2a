// A clone: a verified backup restored into a new instance, with a subdomain of its own and the source's owner,
// plan and settings. Staff only (an audited action): the new instance has no subscription of its own, so an owner
// asking for one would be a second instance without checkout; staff decide how it is billed.
import { eq, sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances, type User } from "@/db/schema";
import { claimInstanceHostnames, portalHostnameOf } from "@/server/domains/hostname-claims";
import { env } from "@/server/env";
import { InstanceActionRefusedError } from "@/server/instances/actions";
import { appendInstanceEvent } from "@/server/instances/events";
import { startOperation } from "@/server/instances/operations";
import { subdomainSchema } from "@/server/instances/subdomain";
import { BackupNotFoundError } from "./requests";
import { backupById } from "./store";

/**
 * Makes the new instance (queued, its subdomain claimed) and starts a restore operation on it from `backupId`:
 * the restore pipeline makes its data services and servers, as provisioning does, then loads the backup into
 * them, mapping the backup's databases, vhost and bucket onto the new instance's own names.
 */
export async function requestClone(tx: Queryable, input: { backupId: string; subdomain: string; actor: Pick<User, "id">; reason: string }) {
  const backup = await backupById(tx, input.backupId);
  if (!backup?.instanceId) throw new BackupNotFoundError();
  if (backup.status !== "verified") throw new InstanceActionRefusedError(`That backup is ${backup.status}: only a verified backup can be cloned.`);
  const parsed = subdomainSchema.safeParse(input.subdomain);
  if (!parsed.success) throw new InstanceActionRefusedError(parsed.error.issues[0]?.message ?? "That subdomain cannot be used.");
  const [taken] = await tx.select({ id: instances.id }).from(instances).where(sql`lower(${instances.subdomain}) = ${parsed.data}`);
  if (taken) throw new InstanceActionRefusedError(`"${parsed.data}" is already taken. Choose another subdomain.`);
  const [source] = await tx.select().from(instances).where(eq(instances.id, backup.instanceId));
  if (!source) throw new BackupNotFoundError();
  const [clone] = await tx
    .insert(instances)
    .values({
      ownerId: source.ownerId,
      organisationId: source.organisationId,
      name: source.name,
      subdomain: parsed.data,
      plan: source.plan,
      contactEmail: source.contactEmail,
      contactEmailVerifiedAt: source.contactEmailVerifiedAt,
      description: source.description,
      privacyPolicyUrl: source.privacyPolicyUrl,
      branding: source.branding,
      staticPages: source.staticPages,
      emailSettings: source.emailSettings,
      smtpPasswordSealed: source.smtpPasswordSealed,
      emailSettingsChangedAt: source.emailSettingsChangedAt,
      wizardStep: "review",
      status: "queued",
    })
    .returning();
  const config = env();
  await claimInstanceHostnames(tx, clone!.id, { subdomain: parsed.data, customDomain: null }, { baseDomain: config.LYCEUM_BASE_DOMAIN, portalHostname: portalHostnameOf(config.publicUrl) });
  const operation = await startOperation(tx, {
    instanceId: clone!.id,
    kind: "restore",
    initiator: "staff",
    requestedBy: input.actor.id,
    reason: `Lyceum staff: ${input.reason}`,
    backupId: backup.id,
  });
  await appendInstanceEvent(tx, {
    instanceId: clone!.id,
    operationId: operation.id,
    kind: "log",
    message: `Cloned by Lyceum staff from backup ${backup.id.slice(0, 8)} of ${source.subdomain}: the instance is provisioned, then the backup is loaded into it.`,
  });
  return { instance: clone!, source, operationId: operation.id };
}
