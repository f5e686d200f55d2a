// ListObjectsV2, ListObjects (v1) and ListObjectVersions: keys in UTF-8 byte order, filtered by prefix, rolled
// up into CommonPrefixes at the delimiter (one entry each, counted against max-keys), one page at a time.
import { uriEncode } from "@/server/infra/object-storage/sigv4";
import { S3Error } from "../errors";
import { compareKeys, type ObjectVersion, type StoredObject } from "../storage/object-store";
import { quoted, type OperationContext, type OperationHandler } from "./context";

type Entry<T> = { key: string; value: T };
type Item<T> = { kind: "object"; key: string; value: T } | { kind: "prefix"; prefix: string };

/** Where a page starts: after this key (and, when it was a common prefix, past everything under it). */
type Resume = { after: string; isPrefix: boolean } | null;

/** Takes up to `maxKeys` items from sorted entries; `isTruncated` when at least one more item exists. */
function takePage<T>(entries: Iterable<Entry<T>>, options: { prefix: string; delimiter: string; maxKeys: number; skipUnder?: string }) {
  const items: Item<T>[] = [];
  let lastPrefix: string | null = options.skipUnder ?? null;
  let isTruncated = false;
  for (const entry of entries) {
    if (!entry.key.startsWith(options.prefix)) continue;
    let item: Item<T> = { kind: "object", key: entry.key, value: entry.value };
    if (options.delimiter) {
      const at = entry.key.indexOf(options.delimiter, options.prefix.length);
      if (at !== -1) {
        const prefix = entry.key.slice(0, at + options.delimiter.length);
        if (prefix === lastPrefix) continue;
        item = { kind: "prefix", prefix };
        lastPrefix = prefix;
      }
    }
    if (items.length === options.maxKeys) {
      isTruncated = true;
      break;
    }
    items.push(item);
  }
  return { items, isTruncated };
}

/** Sorted keys from the first one that can follow `resume` and match `prefix`. */
function* keysFrom(keys: string[], prefix: string, resume: Resume): Generator<string> {
  const start = resume && compareKeys(resume.after, prefix) > 0 ? resume.after : prefix;
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareKeys(keys[middle]!, start) < 0) low = middle + 1;
    else high = middle;
  }
  for (let index = low; index < keys.length; index++) {
    const key = keys[index]!;
    if (!key.startsWith(prefix) && compareKeys(key, prefix) > 0) return; // past every key with this prefix
    if (resume && compareKeys(key, resume.after) <= 0) continue;
    yield key;
  }
}

function* currentObjects(context: OperationContext, keys: Iterable<string>): Generator<Entry<StoredObject>> {
  for (const key of keys) {
    const latest = context.server.store.latest(context.bucket, key);
    if (latest && !latest.isDeleteMarker) yield { key, value: latest };
  }
}

function listParameters(context: OperationContext) {
  const maxKeysField = context.param("max-keys");
  const maxKeys = maxKeysField === undefined ? 1000 : Number(maxKeysField);
  if (!Number.isInteger(maxKeys) || maxKeys < 0) throw new S3Error("InvalidArgument", "Provided max-keys not an integer or within integer range");
  const encodingType = context.param("encoding-type");
  if (encodingType !== undefined && encodingType !== "url") throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request");
  const encode = (value: string | undefined) => (value === undefined || encodingType !== "url" ? value : uriEncode(value, true));
  return { prefix: context.param("prefix") ?? "", delimiter: context.param("delimiter") ?? "", maxKeys: Math.min(maxKeys, 1000), encodingType, encode };
}

function objectXml(context: OperationContext, object: StoredObject, encode: (v: string) => string | undefined, withOwner: boolean) {
  return {
    Key: encode(object.key),
    LastModified: object.lastModified,
    ETag: quoted(object.etag),
    ...(object.checksum ? { ChecksumAlgorithm: object.checksum.algorithm, ChecksumType: object.checksum.type } : {}),
    Size: object.size,
    StorageClass: object.storageClass,
    Owner: withOwner ? { ID: context.server.owner.id, DisplayName: context.server.owner.displayName } : undefined,
  };
}

export const listObjectsV2: OperationHandler = (context) => {
  context.server.store.requireBucket(context.bucket);
  const { prefix, delimiter, maxKeys, encodingType, encode } = listParameters(context);
  const token = context.param("continuation-token");
  const startAfter = context.param("start-after");
  const resume: Resume = token !== undefined ? decodeToken(token) : startAfter ? { after: startAfter, isPrefix: false } : null;
  const keys = keysFrom(context.server.store.keys(context.bucket), prefix, resume);
  const { items, isTruncated } = takePage(currentObjects(context, keys), { prefix, delimiter, maxKeys, skipUnder: resume?.isPrefix ? resume.after : undefined });
  const last = items.at(-1);
  return {
    xml: {
      root: "ListBucketResult",
      content: {
        Name: context.bucket,
        Prefix: encode(prefix),
        Delimiter: delimiter ? encode(delimiter) : undefined,
        MaxKeys: maxKeys,
        KeyCount: items.length,
        IsTruncated: isTruncated,
        ContinuationToken: token,
        NextContinuationToken: isTruncated && last ? encodeToken(last.kind === "prefix" ? { after: last.prefix, isPrefix: true } : { after: last.key, isPrefix: false }) : undefined,
        StartAfter: startAfter !== undefined ? encode(startAfter) : undefined,
        EncodingType: encodingType,
        Contents: items.flatMap((item) => (item.kind === "object" ? [objectXml(context, item.value, encode, context.param("fetch-owner") === "true")] : [])),
        CommonPrefixes: items.flatMap((item) => (item.kind === "prefix" ? [{ Prefix: encode(item.prefix) }] : [])),
      },
    },
  };
};

export const listObjects: OperationHandler = (context) => {
  context.server.store.requireBucket(context.bucket);
  const { prefix, delimiter, maxKeys, encodingType, encode } = listParameters(context);
  const marker = context.param("marker");
  // A v1 marker that is a common prefix (it ends with the delimiter) resumes past everything under it.
  const resume: Resume = marker ? { after: marker, isPrefix: delimiter !== "" && marker.endsWith(delimiter) && marker.startsWith(prefix) } : null;
  const keys = keysFrom(context.server.store.keys(context.bucket), prefix, resume);
  const { items, isTruncated } = takePage(currentObjects(context, keys), { prefix, delimiter, maxKeys, skipUnder: resume?.isPrefix ? resume.after : undefined });
  const last = items.at(-1);
  return {
    xml: {
      root: "ListBucketResult",
      content: {
        Name: context.bucket,
        Prefix: encode(prefix),
        Marker: encode(marker ?? ""),
        NextMarker: isTruncated && delimiter && last ? encode(last.kind === "prefix" ? last.prefix : last.key) : undefined,
        MaxKeys: maxKeys,
        Delimiter: delimiter ? encode(delimiter) : undefined,
        IsTruncated: isTruncated,
        EncodingType: encodingType,
        Contents: items.flatMap((item) => (item.kind === "object" ? [objectXml(context, item.value, encode, true)] : [])),
        CommonPrefixes: items.flatMap((item) => (item.kind === "prefix" ? [{ Prefix: encode(item.prefix) }] : [])),
      },
    },
  };
};

export const listObjectVersions: OperationHandler = (context) => {
  const { store } = context.server;
  store.requireBucket(context.bucket);
  const { prefix, delimiter, maxKeys, encodingType, encode } = listParameters(context);
  const keyMarker = context.param("key-marker");
  const versionIdMarker = context.param("version-id-marker");
  if (versionIdMarker !== undefined && !keyMarker) throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.");
  const isPrefixMarker = Boolean(keyMarker && delimiter && keyMarker.endsWith(delimiter) && !versionIdMarker);

  function* versions(): Generator<Entry<{ version: ObjectVersion; isLatest: boolean }>> {
    // The marker key itself still has versions to list when a version-id marker points into it.
    if (keyMarker && versionIdMarker) {
      const all = store.versions(context.bucket, keyMarker);
      const at = all.findIndex((version) => version.versionId === versionIdMarker);
      for (const [index, version] of all.entries()) {
        if (at !== -1 && index > at) yield { key: keyMarker, value: { version, isLatest: index === 0 } };
      }
    }
    for (const key of keysFrom(store.keys(context.bucket), prefix, keyMarker ? { after: keyMarker, isPrefix: isPrefixMarker } : null)) {
      for (const [index, version] of store.versions(context.bucket, key).entries()) yield { key, value: { version, isLatest: index === 0 } };
    }
  }
  const { items, isTruncated } = takePage(versions(), { prefix, delimiter, maxKeys, skipUnder: isPrefixMarker ? keyMarker : undefined });
  const last = items.at(-1);
  const owner = { ID: context.server.owner.id, DisplayName: context.server.owner.displayName };
  const entries = items.flatMap((item) => (item.kind === "object" ? [item.value] : []));
  return {
    xml: {
      root: "ListVersionsResult",
      content: {
        Name: context.bucket,
        Prefix: encode(prefix),
        KeyMarker: encode(keyMarker ?? ""),
        VersionIdMarker: versionIdMarker ?? "",
        NextKeyMarker: isTruncated && last ? encode(last.kind === "prefix" ? last.prefix : last.key) : undefined,
        NextVersionIdMarker: isTruncated && last?.kind === "object" ? last.value.version.versionId : undefined,
        MaxKeys: maxKeys,
        Delimiter: delimiter ? encode(delimiter) : undefined,
        IsTruncated: isTruncated,
        EncodingType: encodingType,
        Version: entries.flatMap(({ version, isLatest }) =>
          version.isDeleteMarker
            ? []
            : [{ ...objectXml(context, version, encode, true), VersionId: version.versionId, IsLatest: isLatest }],
        ),
        DeleteMarker: entries.flatMap(({ version, isLatest }) =>
          version.isDeleteMarker
            ? [{ Key: encode(version.key), VersionId: version.versionId, IsLatest: isLatest, LastModified: version.lastModified, Owner: owner }]
            : [],
        ),
        CommonPrefixes: items.flatMap((item) => (item.kind === "prefix" ? [{ Prefix: encode(item.prefix) }] : [])),
      },
    },
  };
};

const encodeToken = (resume: NonNullable<Resume>) => Buffer.from(JSON.stringify(resume)).toString("base64url");

function decodeToken(token: string): NonNullable<Resume> {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown; isPrefix?: unknown };
    if (typeof parsed.after === "string" && typeof parsed.isPrefix === "boolean") return { after: parsed.after, isPrefix: parsed.isPrefix };
  } catch {
    // falls through to the error below
  }
  throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", { details: { ArgumentName: "continuation-token" } });
}
