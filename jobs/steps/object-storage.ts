// The instance's bucket (private, versioned, CORS for its sites, a lifecycle for tracking logs) and the one
// access key that reaches it.
import { instanceBrowserOrigins } from "@/server/instances/hostnames";
import { OPENEDX_TRACKING_LOGS } from "@/server/instances/openedx-services";
import type { PipelineStep } from "../runner/types";
import { countRemoved, removeRecorded, resourceNamesOf } from "./ledger-walk";

export const ensureObjectStorage: PipelineStep = {
  name: "object_storage",
  title: "Create storage bucket and access key",
  timeoutMs: 120_000,
  async run(ctx) {
    const storage = ctx.infra.objectStorage;
    const { keys } = storage;
    const { bucket, iamUser: principal } = resourceNamesOf(ctx).objectStorage;
    const corsOrigins = instanceBrowserOrigins(ctx.instance, ctx.env.LYCEUM_BASE_DOMAIN);
    await ctx.ledger.record("s3.bucket", bucket, {
      driver: storage.name,
      region: storage.settings.region,
      corsOrigins,
      versioning: "Enabled",
      trackingLogs: OPENEDX_TRACKING_LOGS,
    });
    const { isNew } = await storage.ensureBucket({ bucket, corsOrigins, trackingLogs: OPENEDX_TRACKING_LOGS }, ctx.signal);

    if (keys.hasPrincipals) {
      ctx.signal.throwIfAborted();
      await ctx.ledger.record("s3.principal", principal, { issuer: keys.name, bucket });
      await keys.ensurePrincipal(principal, bucket, ctx.signal);
    }

    // One key: the ledger's, if the provider still has it. Keys the ledger does not know were made by an
    // attempt that died before recording them; they are deleted, never handed out.
    ctx.signal.throwIfAborted();
    const known = await ctx.ledger.list("s3.access_key");
    const present = new Set(await keys.listKeys(principal, ctx.signal));
    const kept = known.find((entry) => present.has(entry.externalId)) ?? null;
    for (const entry of known.filter((candidate) => candidate !== kept)) {
      if (present.has(entry.externalId)) await keys.deleteKey(principal, entry.externalId, ctx.signal);
      await ctx.ledger.markDeleted(entry.id);
    }
    const orphans = [...present].filter((id) => !known.some((entry) => entry.externalId === id));
    for (const id of orphans) {
      await keys.deleteKey(principal, id, ctx.signal);
      await ctx.log(`Deleted access key ${id}: no ledger entry knows it (an interrupted attempt made it).`, "warn");
    }
    let keyNote = `kept access key ${kept?.externalId}`;
    if (!kept) {
      // No abort check between creating and recording: a key must never exist unrecorded by our own doing.
      const created = await keys.createKey(principal, bucket, ctx.signal);
      await ctx.ledger.record("s3.access_key", created.accessKeyId, { issuer: keys.name, principal, bucket }, { secretAccessKey: created.secretAccessKey });
      keyNote = `made access key ${created.accessKeyId}`;
    }
    return `${isNew ? "created" : "updated"} private, versioned bucket ${bucket} (CORS for ${corsOrigins.length} origins, tracking logs kept ${OPENEDX_TRACKING_LOGS.expireAfterDays} days) and ${keyNote}, which reaches that bucket only`;
  },
};

export const removeObjectStorage: PipelineStep = {
  name: "remove_object_storage",
  title: "Delete access keys and storage bucket",
  timeoutMs: 300_000,
  async run(ctx) {
    const storage = ctx.infra.objectStorage;
    const { keys } = storage;
    const recorded = await removeRecorded(ctx, "s3.access_key", (entry) => keys.deleteKey(entry.details.principal, entry.externalId, ctx.signal));
    // Keys an interrupted attempt made but never recorded carry the instance's principal name too.
    const principal = resourceNamesOf(ctx).objectStorage.iamUser;
    let unrecorded = 0;
    for (const id of await keys.listKeys(principal, ctx.signal)) {
      await keys.deleteKey(principal, id, ctx.signal);
      unrecorded++;
    }
    const principals = await removeRecorded(ctx, "s3.principal", (entry) => keys.deletePrincipal(entry.externalId, ctx.signal));
    let versions = 0;
    const buckets = await removeRecorded(ctx, "s3.bucket", async (entry) => {
      const result = await storage.deleteBucket(entry.externalId, ctx.signal);
      versions += result.deletedVersions;
      return result;
    });
    const principalNote = principals.total ? `, ${countRemoved(principals, "IAM user")}` : "";
    return `${countRemoved(recorded, "access key")}${unrecorded ? ` (+${unrecorded} unrecorded)` : ""}${principalNote} and ${countRemoved(buckets, "bucket")} with ${versions} object versions`;
  },
};
