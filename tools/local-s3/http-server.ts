// The HTTP side of the server: parses a path-style request, answers CORS preflights, authenticates and
// authorises everything else, runs the operation and writes its reply or S3's error document.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { ADMIN_PATH_PREFIX, type LifecycleAction } from "@/server/infra/object-storage/local-s3-admin-protocol";
import { handleAdminRequest } from "./admin-api";
import { authenticate, type SignedRequest } from "./auth/authenticate";
import { authorize } from "./auth/policy";
import { answerPreflight, corsHeadersForRequest } from "./cors-preflight";
import { S3Error } from "./errors";
import type { OperationContext, Reply, ServerState } from "./operations/context";
import { OPERATIONS } from "./operations";
import { resolveOperation } from "./routes";
import { buildXml } from "./xml";

type RequestListenerOptions = {
  state: ServerState;
  clock: () => Date;
  runLifecycle: () => LifecycleAction[];
  log: (line: string) => void;
};

export function createRequestListener(options: RequestListenerOptions) {
  return (http: IncomingMessage, response: ServerResponse) => {
    void handle(http, response, options);
  };
}

async function handle(http: IncomingMessage, response: ServerResponse, options: RequestListenerOptions) {
  const { state } = options;
  const now = options.clock();
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  const method = http.method ?? "GET";
  response.setHeader("x-amz-request-id", requestId);
  response.setHeader("x-amz-id-2", randomBytes(24).toString("base64"));
  response.setHeader("server", "LyceumLocalS3");
  // The injected clock's time: the SDK corrects its clock skew from this header.
  response.setHeader("date", now.toUTCString());
  let resource = "/";
  let isAdmin = false;
  try {
    const request = parseRequest(http);
    resource = request.path;
    isAdmin = request.path.startsWith(ADMIN_PATH_PREFIX);
    const header = (name: string) => request.headers.get(name)?.[0];
    const [bucket, key] = splitPath(request.path);
    if (method === "OPTIONS" && !isAdmin) {
      return writeReply(response, { headers: answerPreflight(state.store, bucket, header) }, method);
    }
    for (const [name, value] of Object.entries(corsHeadersForRequest(state.store, bucket, method, header("origin")))) response.setHeader(name, value);

    const { principal, payload } = authenticate(request, { keys: state.keys, region: state.region, now });
    if (isAdmin) {
      const reply = await handleAdminRequest({ server: state, http, headers: request.headers, payloadSigning: payload, now, method, path: request.path, principal }, options.runLifecycle);
      return writeJson(response, reply.status, reply.json);
    }
    const has = (name: string) => request.query.some(([n]) => n === name);
    const operation = resolveOperation({ method, bucket, key, hasCopySource: header("x-amz-copy-source") !== undefined }, has);
    authorize(principal, operation, bucket);
    const context: OperationContext = {
      server: state,
      http,
      method,
      bucket,
      key,
      principal,
      payloadSigning: payload,
      now,
      headers: request.headers,
      header,
      param: (name) => request.query.find(([n]) => n === name)?.[1],
    };
    writeReply(response, await OPERATIONS[operation](context), method);
  } catch (error) {
    if (!(error instanceof S3Error)) options.log(`${method} ${http.url} failed: ${(error as Error)?.stack ?? error}`);
    const s3Error = error instanceof S3Error ? error : new S3Error("InternalError", "We encountered an internal error. Please try again.");
    if (isAdmin) return writeJson(response, s3Error.status, { code: s3Error.code, message: s3Error.message }, s3Error);
    writeError(response, s3Error, { method, resource, requestId });
  } finally {
    // Whatever the handler did not read is discarded, so the connection can carry the next request.
    if (!http.complete) http.resume();
  }
}

function parseRequest(http: IncomingMessage): SignedRequest {
  const url = http.url ?? "/";
  const questionMark = url.indexOf("?");
  const rawPath = questionMark === -1 ? url : url.slice(0, questionMark);
  const rawQuery = questionMark === -1 ? "" : url.slice(questionMark + 1);
  const decode = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      throw new S3Error("InvalidURI", "Couldn't parse the specified URI.");
    }
  };
  const query: [string, string][] = rawQuery
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      const equals = pair.indexOf("=");
      return equals === -1 ? [decode(pair), ""] : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
    });
  const headers = new Map<string, string[]>();
  for (let index = 0; index < http.rawHeaders.length; index += 2) {
    const name = http.rawHeaders[index]!.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), http.rawHeaders[index + 1]!]);
  }
  return { method: http.method ?? "GET", path: decode(rawPath), query, headers };
}

/** `/bucket/some/key` → ["bucket", "some/key"]; `/` → ["", ""]. */
function splitPath(path: string): [string, string] {
  const rest = path.replace(/^\//, "");
  const slash = rest.indexOf("/");
  return slash === -1 ? [rest, ""] : [rest.slice(0, slash), rest.slice(slash + 1)];
}

function writeReply(response: ServerResponse, reply: Reply, method: string) {
  response.statusCode = reply.status ?? 200;
  for (const [name, value] of Object.entries(reply.headers ?? {})) if (value !== undefined) response.setHeader(name, value);
  let body: Buffer | Readable | null = reply.body ?? null;
  if (reply.xml) {
    body = Buffer.from(buildXml(reply.xml.root, reply.xml.content));
    response.setHeader("content-type", "application/xml");
  }
  if (Buffer.isBuffer(body) && !response.hasHeader("content-length")) response.setHeader("content-length", body.length);
  if (!body && response.statusCode !== 204 && response.statusCode !== 304 && !response.hasHeader("content-length")) response.setHeader("content-length", 0);
  if (method === "HEAD" || !body) {
    if (body instanceof Readable) body.destroy();
    return response.end();
  }
  if (Buffer.isBuffer(body)) return response.end(body);
  const stream = body;
  stream.on("error", () => response.destroy());
  stream.pipe(response);
}

function writeError(response: ServerResponse, error: S3Error, request: { method: string; resource: string; requestId: string }) {
  if (response.headersSent) return response.destroy();
  response.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
  // HEAD answers carry no body; the SDK reads the status (and maps 404 to NotFound).
  if (request.method === "HEAD" || error.status === 304) return response.end();
  const body = Buffer.from(
    buildXml("Error", { Code: error.code, Message: error.message, ...error.details, Resource: request.resource, RequestId: request.requestId }, false),
  );
  response.setHeader("content-type", "application/xml");
  response.setHeader("content-length", body.length);
  response.end(body);
}

function writeJson(response: ServerResponse, status: number, json: unknown, error?: S3Error) {
  if (response.headersSent) return response.destroy();
  response.statusCode = status;
  for (const [name, value] of Object.entries(error?.headers ?? {})) response.setHeader(name, value);
  if (json === undefined) return response.end();
  const body = Buffer.from(JSON.stringify(json));
  response.setHeader("content-type", "application/json");
  response.setHeader("content-length", body.length);
  response.end(body);
}
