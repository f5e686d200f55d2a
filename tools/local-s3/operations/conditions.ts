// Conditional requests (If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since, and their
// x-amz-copy-source-if-* twins) and byte ranges, with RFC 9110's precedence as S3 applies it.
import { S3Error } from "../errors";
import type { StoredObject } from "../storage/object-store";
import { httpDate, quoted } from "./context";

type ConditionHeaders = { ifMatch?: string; ifNoneMatch?: string; ifModifiedSince?: string; ifUnmodifiedSince?: string };

const etagListMatches = (list: string, etag: string) =>
  list.split(",").map((value) => value.trim()).some((value) => value === "*" || value.replace(/^W\//, "").replace(/"/g, "") === etag);

/** Compares at one-second precision, like the Last-Modified header the client saw. */
const modifiedAfter = (object: StoredObject, header: string) => {
  const since = Date.parse(header);
  return Number.isNaN(since) ? null : Math.floor(Date.parse(object.lastModified) / 1000) > Math.floor(since / 1000);
};

/** For GET and HEAD: throws 412 PreconditionFailed or 304 NotModified when a condition says so. */
export function checkReadConditions(object: StoredObject, conditions: ConditionHeaders) {
  if (conditions.ifMatch !== undefined) {
    if (!etagListMatches(conditions.ifMatch, object.etag)) throw preconditionFailed("If-Match");
  } else if (conditions.ifUnmodifiedSince !== undefined && modifiedAfter(object, conditions.ifUnmodifiedSince) === true) {
    throw preconditionFailed("If-Unmodified-Since");
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagListMatches(conditions.ifNoneMatch, object.etag)) throw notModified(object);
  } else if (conditions.ifModifiedSince !== undefined && modifiedAfter(object, conditions.ifModifiedSince) === false) {
    throw notModified(object);
  }
}

/** CopyObject's source conditions: every failing one is 412. */
export function checkCopySourceConditions(object: StoredObject, conditions: ConditionHeaders) {
  if (conditions.ifMatch !== undefined && !etagListMatches(conditions.ifMatch, object.etag)) throw preconditionFailed("x-amz-copy-source-if-match");
  if (conditions.ifNoneMatch !== undefined && etagListMatches(conditions.ifNoneMatch, object.etag)) throw preconditionFailed("x-amz-copy-source-if-none-match");
  if (conditions.ifUnmodifiedSince !== undefined && modifiedAfter(object, conditions.ifUnmodifiedSince) === true) throw preconditionFailed("x-amz-copy-source-if-unmodified-since");
  if (conditions.ifModifiedSince !== undefined && modifiedAfter(object, conditions.ifModifiedSince) === false) throw preconditionFailed("x-amz-copy-source-if-modified-since");
}

/** Conditional writes: `If-None-Match: *` (create only) and `If-Match: <etag>` (replace only that version). */
export function checkWriteConditions(current: StoredObject | null, key: string, conditions: { ifMatch?: string; ifNoneMatch?: string }) {
  if (conditions.ifNoneMatch !== undefined) {
    if (conditions.ifNoneMatch.trim() !== "*") throw new S3Error("NotImplemented", "Only If-None-Match: * is supported on writes");
    if (current) throw preconditionFailed("If-None-Match");
  }
  if (conditions.ifMatch !== undefined) {
    if (!current) throw new S3Error("NoSuchKey", "The specified key does not exist.", { details: { Key: key } });
    if (!etagListMatches(conditions.ifMatch, current.etag)) throw preconditionFailed("If-Match");
  }
}

/**
 * A single `bytes=` range as [start, end] inclusive; null for no range or one S3 ignores (several ranges,
 * other units, garbage). A range that starts beyond the object is 416 InvalidRange.
 */
export function parseRange(header: string | undefined, size: number): [number, number] | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const [first, last] = [match[1]!, match[2]!];
  let start: number;
  let end: number;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) throw invalidRange(size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== "" && Number(last) < start) return null;
  }
  if (start >= size) throw invalidRange(size);
  return [start, end];
}

const invalidRange = (size: number) =>
  new S3Error("InvalidRange", "The requested range is not satisfiable", {
    details: { ActualObjectSize: String(size) },
    headers: { "content-range": `bytes */${size}` },
  });

const preconditionFailed = (condition: string) =>
  new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { details: { Condition: condition } });

const notModified = (object: StoredObject) =>
  new S3Error("NotModified", "Not Modified", { headers: { etag: quoted(object.etag), "last-modified": httpDate(object.lastModified) } });
