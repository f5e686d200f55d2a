// The admin API beside S3's, under /_lyceum/ (no bucket name can start with "_"): manages scoped access keys
// and runs lifecycle rules on demand. Requests are signed with SigV4 like S3 calls, and only the root key may
// use it. JSON in and out; errors are `{ "code": …, "message": … }` with S3's status codes.
//   GET    /_lyceum/access-keys           → 200 { accessKeys: [{ accessKeyId, buckets, name, createdAt }] }
//   POST   /_lyceum/access-keys           { buckets: string[], name?: string } → 201 { accessKeyId, secretAccessKey, … }
//   GET    /_lyceum/access-keys/<id>      → 200 { accessKeyId, buckets, name, createdAt } | 404 NoSuchEntity
//   DELETE /_lyceum/access-keys/<id>      → 204 | 404 NoSuchEntity
//   POST   /_lyceum/lifecycle/run         → 200 { actions: LifecycleAction[] }
import { z } from "zod";
import type { Principal, ScopedAccessKey } from "./access-keys";
import { accessDenied, S3Error } from "./errors";
import type { LifecycleAction } from "./lifecycle-runner";
import { requestBody, type OperationContext } from "./operations/context";
import { readPayload } from "./payload/body";

export const ADMIN_PATH_PREFIX = "/_lyceum/";

export type AdminReply = { status: number; json?: unknown };

const newKeySchema = z.object({
  buckets: z.array(z.string()).min(1, "needs at least one bucket"),
  name: z.string().max(256).nullish(),
});

/** The key without its secret: what listing and lookups show. */
const publicView = (key: ScopedAccessKey) => ({ accessKeyId: key.accessKeyId, buckets: key.buckets, name: key.name, createdAt: key.createdAt });

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
    if (id !== undefined && context.method === "DELETE") {
      if (!keys.delete(id)) throw new S3Error("NoSuchEntity", `No scoped access key ${id}`);
      return { status: 204 };
    }
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
