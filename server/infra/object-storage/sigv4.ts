// AWS Signature Version 4 primitives, shared by the local S3 admin client (which signs) and the local S3 server
// in tools/local-s3/ (which recomputes what the client should have signed); the product owns them because a
// tool may import product code but product code never imports a tool. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-create-signed-request.html
import { createHash, createHmac } from "node:crypto";

export const ALGORITHM = "AWS4-HMAC-SHA256";
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

/** AWS's URI encoding: every byte except A-Z a-z 0-9 - _ . ~ as %XX (upper-case hex); `/` kept when asked. */
export function uriEncode(value: string, keepSlash = false): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(char) || (keepSlash && char === "/")) out += char;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The credential scope `yyyymmdd/region/service/aws4_request`. */
export type Scope = { date: string; region: string; service: string };
export const scopeString = (scope: Scope) => `${scope.date}/${scope.region}/${scope.service}/aws4_request`;

export function signingKey(secretAccessKey: string, scope: Scope): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, scope.date);
  return hmac(hmac(hmac(dateKey, scope.region), scope.service), "aws4_request");
}

export const signatureOf = (key: Buffer, stringToSign: string) => createHmac("sha256", key).update(stringToSign).digest("hex");

type CanonicalInput = {
  method: string;
  /** The request path, decoded (S3 canonicalises it by encoding each segment once). */
  path: string;
  /** Decoded query parameters; the signature parameter itself is left out by the caller. */
  query: [string, string][];
  /** Header name (lower-case) → values in the order they were sent. */
  headers: Map<string, string[]>;
  signedHeaders: string[];
  payloadHash: string;
};

export function canonicalRequest(input: CanonicalInput): string {
  const query = input.query
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
  const headers = input.signedHeaders
    .map((name) => `${name}:${(input.headers.get(name) ?? []).map(canonicalHeaderValue).join(",")}\n`)
    .join("");
  return [input.method, uriEncode(input.path, true), query, headers, input.signedHeaders.join(";"), input.payloadHash].join("\n");
}

export function stringToSign(amzDate: string, scope: Scope, canonical: string): string {
  return [ALGORITHM, amzDate, scopeString(scope), sha256Hex(canonical)].join("\n");
}

/** `20130524T000000Z` for a date. */
const amzDateOf = (date: Date) => date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/** The date a `yyyymmddThhmmssZ` stamp stands for, or null when it is not one. */
export function parseAmzDate(value: string): Date | null {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? null : date;
}

function canonicalHeaderValue(value: string) {
  return value.trim().replace(/\s+/g, " ");
}

function compare(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Signs a request with the Authorization header (what the admin client and tests use; the SDK signs S3 calls
 * itself). Returns the headers to send, including `host`, `x-amz-date` and `x-amz-content-sha256`.
 */
export function signRequest(request: {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer | string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  service?: string;
  now?: Date;
}): Record<string, string> {
  const amzDate = amzDateOf(request.now ?? new Date());
  const scope: Scope = { date: amzDate.slice(0, 8), region: request.region, service: request.service ?? "s3" };
  const payloadHash = sha256Hex(request.body ?? "");
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    host: request.url.host,
    "x-amz-date": amzDate,
    "x-amz-content-sha256": payloadHash,
  };
  const signedHeaders = Object.keys(headers).sort();
  const canonical = canonicalRequest({
    method: request.method,
    path: decodeURIComponent(request.url.pathname),
    query: [...request.url.searchParams.entries()],
    headers: new Map(Object.entries(headers).map(([k, v]) => [k, [v]])),
    signedHeaders,
    payloadHash,
  });
  const signature = signatureOf(signingKey(request.credentials.secretAccessKey, scope), stringToSign(amzDate, scope, canonical));
  return {
    ...headers,
    authorization: `${ALGORITHM} Credential=${request.credentials.accessKeyId}/${scopeString(scope)}, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`,
  };
}
