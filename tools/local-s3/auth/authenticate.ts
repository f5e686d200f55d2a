// Who sent this request: verifies its Signature Version 4 (Authorization header, or a presigned URL's query)
// against the key store and the clock, the way S3 does, and says how the payload itself is signed.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
import { timingSafeEqual } from "node:crypto";
import type { AccessKeyStore, Principal } from "../access-keys";
import { accessDenied, S3Error } from "../errors";
import {
  ALGORITHM, canonicalRequest, parseAmzDate, signatureOf, signingKey, stringToSign, type Scope,
} from "@/server/infra/object-storage/sigv4";

const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_EXPIRY_SECONDS = 7 * 24 * 3600;

/** How the body is protected: a hash in the signed headers, nothing, or aws-chunked framing. */
export type PayloadSigning =
  | { mode: "sha256"; expectedHex: string }
  | { mode: "unsigned" }
  | { mode: "unsigned-chunks" }
  | { mode: "signed-chunks"; hasTrailer: boolean; seedSignature: string; key: Buffer; amzDate: string; scope: Scope };

type Authentication = { principal: Principal; payload: PayloadSigning };

export type SignedRequest = {
  method: string;
  /** Decoded request path (`/bucket/key`). */
  path: string;
  /** Decoded query parameters, in the order sent. */
  query: [string, string][];
  /** Lower-case header name → every value sent for it. */
  headers: Map<string, string[]>;
};

export function authenticate(
  request: SignedRequest,
  context: { keys: AccessKeyStore; region: string; now: Date },
): Authentication {
  const authorization = request.headers.get("authorization")?.[0];
  const isPresigned = request.query.some(([name]) => name === "X-Amz-Signature" || name === "X-Amz-Algorithm");
  if (authorization && isPresigned) throw new S3Error("InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified");
  if (authorization) return authenticateHeader(request, authorization, context);
  if (isPresigned) return authenticatePresigned(request, context);
  throw accessDenied("Anonymous access is not allowed: sign the request with AWS Signature Version 4");
}

function authenticateHeader(
  request: SignedRequest,
  authorization: string,
  context: { keys: AccessKeyStore; region: string; now: Date },
): Authentication {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw new S3Error("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(",")) {
    const [name, ...rest] = part.trim().split("=");
    if (name) fields.set(name, rest.join("="));
  }
  const credential = fields.get("Credential");
  const signedHeadersField = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeadersField || !signature) {
    throw new S3Error("AuthorizationHeaderMalformed", "The authorization header is malformed; it needs Credential, SignedHeaders and Signature.");
  }
  const signedHeaders = signedHeadersField.split(";");
  const header = (name: string) => request.headers.get(name)?.[0];
  const amzDate = header("x-amz-date") ?? dateHeaderAsAmzDate(header("date"));
  const requestTime = amzDate ? parseAmzDate(amzDate) : null;
  if (!amzDate || !requestTime) throw accessDenied("AWS authentication requires a valid Date or x-amz-date header");

  const { scope, secretAccessKey, principal } = resolveCredential(credential, amzDate, context, "AuthorizationHeaderMalformed");
  if (Math.abs(context.now.getTime() - requestTime.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", {
      details: { RequestTime: amzDate, ServerTime: context.now.toISOString(), MaxAllowedSkewMilliseconds: String(MAX_CLOCK_SKEW_MS) },
    });
  }
  assertSignedHeaders(request, signedHeaders);

  const contentSha256 = header("x-amz-content-sha256");
  if (!contentSha256) throw new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
  const key = signingKey(secretAccessKey, scope);
  verifySignature(request, { signedHeaders, payloadHash: contentSha256, amzDate, scope, key, signature, accessKeyId: principal.accessKeyId });
  return { principal, payload: payloadSigning(contentSha256, { signature, key, amzDate, scope }) };
}

function authenticatePresigned(
  request: SignedRequest,
  context: { keys: AccessKeyStore; region: string; now: Date },
): Authentication {
  const param = (name: string) => request.query.find(([n]) => n === name)?.[1];
  const malformed = (message: string) => new S3Error("AuthorizationQueryParametersError", message);
  if (param("X-Amz-Algorithm") !== ALGORITHM) throw malformed("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
  const credential = param("X-Amz-Credential");
  const amzDate = param("X-Amz-Date");
  const signedHeadersField = param("X-Amz-SignedHeaders");
  const signature = param("X-Amz-Signature");
  const expiresField = param("X-Amz-Expires");
  if (!credential || !amzDate || !signedHeadersField || !signature || !expiresField) {
    throw malformed("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
  }
  const requestTime = parseAmzDate(amzDate);
  if (!requestTime) throw malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  const expiresSeconds = Number(expiresField);
  if (!Number.isInteger(expiresSeconds) || expiresSeconds < 1 || expiresSeconds > MAX_PRESIGNED_EXPIRY_SECONDS) {
    throw malformed("X-Amz-Expires must be a whole number of seconds from 1 to 604800 (seven days)");
  }
  if (param("X-Amz-Security-Token")) throw accessDenied("Temporary security credentials are not supported by this server");

  const { scope, secretAccessKey, principal } = resolveCredential(credential, amzDate, context, "AuthorizationQueryParametersError");
  if (requestTime.getTime() - context.now.getTime() > MAX_CLOCK_SKEW_MS) throw accessDenied("Request is not valid yet");
  const expiresAt = new Date(requestTime.getTime() + expiresSeconds * 1000);
  if (context.now.getTime() > expiresAt.getTime()) {
    throw new S3Error("AccessDenied", "Request has expired", {
      details: { "X-Amz-Expires": expiresField, Expires: expiresAt.toISOString(), ServerTime: context.now.toISOString() },
    });
  }
  const signedHeaders = signedHeadersField.split(";");
  assertSignedHeaders(request, signedHeaders);
  // A presigned URL signs no body unless the signer chose to (S3 reads the hash from the query or a signed header).
  const payloadHash =
    param("X-Amz-Content-Sha256") ??
    (signedHeaders.includes("x-amz-content-sha256") ? request.headers.get("x-amz-content-sha256")?.[0] : undefined) ??
    "UNSIGNED-PAYLOAD";
  const key = signingKey(secretAccessKey, scope);
  verifySignature(
    { ...request, query: request.query.filter(([name]) => name !== "X-Amz-Signature") },
    { signedHeaders, payloadHash, amzDate, scope, key, signature, accessKeyId: principal.accessKeyId },
  );
  const payload = payloadSigning(payloadHash, { signature, key, amzDate, scope });
  if (payload.mode === "signed-chunks" || payload.mode === "unsigned-chunks") {
    throw new S3Error("InvalidRequest", "Chunked uploads cannot be presigned");
  }
  return { principal, payload };
}

/** Checks `AKID/yyyymmdd/region/s3/aws4_request` against the request date, our region and the key store. */
function resolveCredential(
  credential: string,
  amzDate: string,
  context: { keys: AccessKeyStore; region: string },
  malformedCode: "AuthorizationHeaderMalformed" | "AuthorizationQueryParametersError",
) {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") {
    throw new S3Error(malformedCode, `The credential is malformed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string, string];
  const known = context.keys.lookup(accessKeyId);
  if (!known) {
    throw new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      details: { AWSAccessKeyId: accessKeyId },
    });
  }
  if (date !== amzDate.slice(0, 8)) {
    throw new S3Error(malformedCode, `Invalid credential date "${date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  if (region !== context.region) {
    throw new S3Error(malformedCode, `The authorization header is malformed; the region '${region}' is wrong; expecting '${context.region}'`, {
      details: { Region: context.region },
    });
  }
  if (service !== "s3") throw new S3Error(malformedCode, `The credential names service '${service}'; expecting 's3'`);
  return { scope: { date, region, service }, secretAccessKey: known.secretAccessKey, principal: known.principal };
}

/** S3 refuses a signature that does not cover `host`, or leaves any `x-amz-*` header it was sent unsigned. */
function assertSignedHeaders(request: SignedRequest, signedHeaders: string[]) {
  if (!signedHeaders.includes("host")) throw accessDenied("The host header must be signed");
  const unsigned = [...request.headers.keys()].filter((name) => name.startsWith("x-amz-") && !signedHeaders.includes(name));
  if (unsigned.length > 0) {
    throw new S3Error("AccessDenied", "There were headers present in the request which were not signed", {
      details: { HeadersNotSigned: unsigned.join(", ") },
    });
  }
}

function verifySignature(
  request: SignedRequest,
  signing: { signedHeaders: string[]; payloadHash: string; amzDate: string; scope: Scope; key: Buffer; signature: string; accessKeyId: string },
) {
  const canonical = canonicalRequest({
    method: request.method,
    path: request.path,
    query: request.query,
    headers: request.headers,
    signedHeaders: signing.signedHeaders,
    payloadHash: signing.payloadHash,
  });
  const toSign = stringToSign(signing.amzDate, signing.scope, canonical);
  const expected = signatureOf(signing.key, toSign);
  if (!sameHex(expected, signing.signature)) {
    throw new S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", {
      details: { AWSAccessKeyId: signing.accessKeyId, StringToSign: toSign, CanonicalRequest: canonical },
    });
  }
}

function payloadSigning(
  contentSha256: string,
  seed: { signature: string; key: Buffer; amzDate: string; scope: Scope },
): PayloadSigning {
  switch (contentSha256) {
    case "UNSIGNED-PAYLOAD":
      return { mode: "unsigned" };
    case "STREAMING-UNSIGNED-PAYLOAD-TRAILER":
      return { mode: "unsigned-chunks" };
    case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD":
    case "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":
      return {
        mode: "signed-chunks",
        hasTrailer: contentSha256.endsWith("-TRAILER"),
        seedSignature: seed.signature,
        key: seed.key,
        amzDate: seed.amzDate,
        scope: seed.scope,
      };
    default:
      if (/^[0-9a-f]{64}$/.test(contentSha256)) return { mode: "sha256", expectedHex: contentSha256 };
      throw new S3Error("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING-… value, or a valid SHA-256 hex digest");
  }
}

export function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function dateHeaderAsAmzDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}
