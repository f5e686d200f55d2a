// What an operation handler gets (the authenticated request and the server's state) and what it returns
// (a reply the HTTP layer writes, adding the headers every S3 response carries).
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import type { AccessKeyStore, Principal } from "../access-keys";
import type { PayloadSigning } from "../auth/authenticate";
import { S3Error } from "../errors";
import { openPayload, readPayload, type Payload } from "../payload/body";
import type { ChecksumAlgorithm } from "../payload/checksums";
import type { MultipartUploads } from "../storage/multipart-uploads";
import type { ObjectStore } from "../storage/object-store";
import { parseXml } from "../xml";

export type ServerState = {
  store: ObjectStore;
  uploads: MultipartUploads;
  keys: AccessKeyStore;
  region: string;
  /** The account that owns every bucket (S3 reports it in listings and ACLs). */
  owner: { id: string; displayName: string };
};

export type OperationContext = {
  server: ServerState;
  http: IncomingMessage;
  method: string;
  /** Empty for service-level requests. */
  bucket: string;
  /** Empty for bucket-level requests. */
  key: string;
  principal: Principal;
  payloadSigning: PayloadSigning;
  now: Date;
  /** First value of a query parameter (decoded), or undefined. */
  param(name: string): string | undefined;
  /** First value of a header (lower-case name), or undefined. */
  header(name: string): string | undefined;
  headers: Map<string, string[]>;
};

export type Reply = {
  status?: number;
  headers?: Record<string, string | undefined>;
  /** An XML document: root element name and its content. */
  xml?: { root: string; content: Record<string, unknown> | string };
  body?: Readable | Buffer;
};

export type OperationHandler = (context: OperationContext) => Promise<Reply> | Reply;

/** The request body, verified against its signature and checksums as it is read. */
export function requestBody(context: Pick<OperationContext, "http" | "headers" | "payloadSigning">, options: { computeChecksum?: ChecksumAlgorithm | null; maxBytes?: number } = {}): Payload {
  return openPayload(context.http, context.headers, context.payloadSigning, options);
}

/**
 * An XML request body. `isChecksumRequired` mirrors S3's rule that some configuration calls must carry
 * Content-MD5 or an x-amz-checksum-* (the SDK adds one).
 */
export async function xmlBody(context: OperationContext, rootName: string, options: { isChecksumRequired?: boolean } = {}) {
  if (options.isChecksumRequired && !context.header("content-md5") && ![...context.headers.keys()].some((name) => /^x-amz-checksum-(?!mode|algorithm|type)/.test(name)) && !context.header("x-amz-trailer")) {
    throw new S3Error("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  return parseXml(await readPayload(requestBody(context)), rootName);
}

export const quoted = (etag: string) => `"${etag}"`;

/** Seconds-precision HTTP date (Last-Modified and friends). */
export const httpDate = (iso: string) => new Date(iso).toUTCString();
