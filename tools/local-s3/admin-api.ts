// The admin API beside S3's, under /_lyceum/: manages scoped access keys, runs lifecycle rules on demand and
// sets a bucket's quota (a store that fills up, for the tests of what a full backup store does).
// Only the root key may use it. The routes and their replies are the product's contract with this emulator:
// server/infra/object-storage/local-s3-admin-protocol.ts.
import { z } from "zod";
import {
  ADMIN_PATH_PREFIX, type BucketQuota, type LifecycleAction, type PublicScopedAccessKey, type ScopedAccessKey,
} from "@/server/infra/object-storage/local-s3-admin-protocol";
import type { Principal } from "./access-keys";
import { accessDenied, S3Error } from "./errors";
import { requestBody, type OperationContext } from "./operations/context";
import { readPayload } from "./payload/body";

const quotaSchema = z.object({ bytes: z.number().int().nonnegative().nullable() });

type AdminReply = { status: number; json?: unknown };

const newKeySchema = z.object({
  buckets: z.array(z.string()).min(1, "needs at least one bucket"),
  name: z.string().max(256).nullish(),
});

/** The key without its secret: what listing and lookups show. */
const publicView = (key: ScopedAccessKey): PublicScopedAccessKey => ({
  accessKeyId: key.accessKeyId, buckets: key.buckets, name: key.name, createdAt: key.createdAt, uploadsBlocked: key.uploadsBlocked === true,
});

const keyChangeSchema = z.object({ uploadsBlocked: z.boolean() });

export async function handleAdminRequest(
  context: Pick<OperationContext, "server" | "http" | "headers" | "payloadSigning" | "now" | "method"> & { path: string; principal: Principal },
  runLifecycle: () => LifecycleAction[],
): Promise<AdminReply> {
  if (context.principal.kind !== "root") throw accessDenied("Only the root key may use the admin API");
  const keys = context.server.keys;
  const route = context.path.slice(ADMIN_PATH_PREFIX.length).replace(/\/$/, "");
  const [collection, id, ...rest] = route.split("/");

  if (collection === "access-keys" && rest.length === 0) {
    if (id === undefined && context.method === "GET") return { status: 200, json: { accessKeys: keys.list().map(publicView) } };
    if (id === undefined && context.method === "POST") {
      const body = await readPayload(requestBody(context), 64 * 1024);
      const parsed = newKeySchema.safeParse(parseJson(body));
      if (!parsed.success) throw new S3Error("InvalidArgument", parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
      try {
        return { status: 201, json: keys.create(parsed.data, context.now) };
      } catch (error) {
        throw new S3Error("InvalidArgument", (error as Error).message);
      }
    }
    if (id !== undefined && context.method === "GET") {
      const key = keys.get(id);
      if (!key) throw new S3Error("NoSuchEntity", `No scoped access key ${id}`);
      return { status: 200, json: publicView(key) };
    }
    if (id !== undefined && context.method === "PATCH") {
      const body = await readPayload(requestBody(context), 64 * 1024);
      const parsed = keyChangeSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new S3Error("InvalidArgument", parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
      const key = keys.setUploadsBlocked(id, parsed.data.uploadsBlocked);
      if (!key) throw new S3Error("NoSuchEntity", `No scoped access key ${id}`);
      return { status: 200, json: publicView(key) };
    }
    if (id !== undefined && context.method === "DELETE") {
      if (!keys.delete(id)) throw new S3Error("NoSuchEntity", `No scoped access key ${id}`);
      return { status: 204 };
    }
  }
  if (collection === "buckets" && id !== undefined && rest.join("/") === "quota" && context.method === "PUT") {
    const bucket = decodeURIComponent(id);
    context.server.store.requireBucket(bucket);
    const parsed = quotaSchema.safeParse(parseJson(await readPayload(requestBody(context), 64 * 1024)));
    if (!parsed.success) throw new S3Error("InvalidArgument", parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
    context.server.store.updateBucket(bucket, { quotaBytes: parsed.data.bytes });
    const quota: BucketQuota = { bucket, quotaBytes: parsed.data.bytes, usedBytes: context.server.store.usedBytes(bucket) };
    return { status: 200, json: quota };
  }
  if (route === "lifecycle/run" && context.method === "POST") return { status: 200, json: { actions: runLifecycle() } };
  throw new S3Error("MethodNotAllowed", `${context.method} ${context.path} is not part of the admin API`);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new S3Error("InvalidArgument", "The body must be JSON");
  }
}
