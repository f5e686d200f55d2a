// The backup store: artifacts compressed (gzip) and encrypted (AES-256-GCM, streaming) under a backup's data key,
// written to the platform's backup bucket, and read back only after their stored bytes match the manifest.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PassThrough, Readable, Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BackupArtifact } from "@/server/backups/manifest";

const TAG_BYTES = 16;
const IV_BYTES = 12;

/** Stored bytes that do not match the manifest, or do not decrypt: the backup cannot be trusted. */
export class BackupVerificationError extends Error {}

/**
 * The store has no room for an artifact: the backup bucket refused it for its quota (Ceph's QuotaExceeded,
 * MinIO's bucket-quota and storage-full codes) or the spool folder's disk is full. Retrying will not help until
 * someone makes room, so the backup fails at once and says so.
 */
export class BackupStoreFullError extends Error {}

const STORE_FULL_CODES = new Set(["QuotaExceeded", "XMinioAdminBucketQuotaExceeded", "XMinioStorageFull", "ENOSPC"]);

function isStoreFull(error: unknown) {
  const { name, code } = error as { name?: string; code?: string };
  return STORE_FULL_CODES.has(name ?? "") || STORE_FULL_CODES.has(code ?? "");
}

export type BackupStore = {
  bucket: string;
  /** Compresses, encrypts and uploads `source`; resolves to its manifest entry once it is stored. */
  write(key: string, source: Readable, dataKey: Buffer, signal?: AbortSignal): Promise<BackupArtifact>;
  /** Reads the artifact back in full and checks its stored bytes, its GCM tag and its data's checksum. */
  verify(artifact: BackupArtifact, dataKey: Buffer, signal?: AbortSignal): Promise<void>;
  /** Streams the artifact's data into `sink`; rejects (after the sink saw bytes) if any check fails. */
  read(artifact: BackupArtifact, dataKey: Buffer, sink: Writable, signal?: AbortSignal): Promise<void>;
  remove(key: string): Promise<void>;
  /** Deletes every object under `prefix` (a whole backup, including the artifacts of one that failed half-way). */
  removePrefix(prefix: string, signal?: AbortSignal): Promise<number>;
};

/** Counts and hashes the bytes passing through. */
function measuring() {
  const hash = createHash("sha256");
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest("hex") }) };
}

export function createBackupStore(client: S3Client, bucket: string): BackupStore {
  async function download(key: string, signal?: AbortSignal): Promise<Readable> {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      return object.Body as Readable;
    } catch (error) {
      const name = (error as Error).name;
      if (name === "NoSuchKey" || name === "NotFound") throw new BackupVerificationError(`artifact ${key} is missing from bucket ${bucket}`);
      throw new Error(`read backup artifact ${key} from ${bucket}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Pipes the artifact's stored bytes through the checks into `sink`, and says which check failed if one did. */
  async function decryptInto(artifact: BackupArtifact, dataKey: Buffer, sink: Writable, signal?: AbortSignal) {
    const stored = measuring();
    const data = measuring();
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(artifact.iv, "base64"), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(artifact.key, "utf8"));
    decipher.setAuthTag(Buffer.from(artifact.tag, "base64"));
    let failure: unknown = null;
    try {
      await pipeline(await download(artifact.key, signal), stored.stream, decipher, createGunzip(), data.stream, sink, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      failure = error;
    }
    const storedResult = stored.result();
    if (storedResult.bytes !== artifact.storedBytes || storedResult.sha256 !== artifact.storedSha256) {
      throw new BackupVerificationError(
        `artifact ${artifact.key} does not match its manifest: ${storedResult.bytes} bytes stored${failure ? " (read stopped early)" : ""} with sha256 ${storedResult.sha256.slice(0, 12)}…, the manifest says ${artifact.storedBytes} bytes with sha256 ${artifact.storedSha256.slice(0, 12)}…`,
      );
    }
    if (failure) {
      const message = (failure as Error).message;
      if (/authenticate|incorrect header|unexpected end|invalid/i.test(message)) {
        throw new BackupVerificationError(`artifact ${artifact.key} does not decrypt with the backup's key (${message})`);
      }
      throw failure;
    }
    const dataResult = data.result();
    if (dataResult.bytes !== artifact.dataBytes || dataResult.sha256 !== artifact.dataSha256) {
      throw new BackupVerificationError(`artifact ${artifact.key} decrypts to data whose checksum differs from the manifest's`);
    }
  }

  return {
    bucket,

    async write(key, source, dataKey, signal) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: TAG_BYTES });
      // The key as additional data: an artifact moved to another key (another database's place) does not open.
      cipher.setAAD(Buffer.from(key, "utf8"));
      const data = measuring();
      const stored = measuring();
      // Spooled to a file first: S3 wants the length up front, and a dump can be larger than memory. The file is
      // unlinked as soon as it is open, so the kernel frees it when this process closes it or dies: a worker
      // killed mid-backup leaves no spool behind (a finally block does not run under SIGKILL). Its streams use the
      // bare descriptor and leave it open: the handle's own streams would hold its close() forever.
      const folder = await mkdtemp(path.join(os.tmpdir(), "lyceum-backup-"));
      const spool = await open(path.join(folder, "artifact"), "w+");
      await rm(folder, { recursive: true, force: true });
      try {
        await pipeline(source, data.stream, createGzip(), cipher, stored.stream, createWriteStream("", { fd: spool.fd, start: 0, autoClose: false }), { signal });
        const { size } = await spool.stat();
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: createReadStream("", { fd: spool.fd, start: 0, autoClose: false }),
            ContentLength: size,
            ContentType: "application/octet-stream",
          }),
          { abortSignal: signal },
        );
      } catch (error) {
        if (error instanceof BackupVerificationError) throw error;
        if (isStoreFull(error)) {
          throw new BackupStoreFullError(`the backup store is full: artifact ${key} could not be written to ${bucket} (${(error as Error).message})`, { cause: error });
        }
        throw new Error(`write backup artifact ${key} to ${bucket}: ${(error as Error).message}`, { cause: error });
      } finally {
        await spool.close();
      }
      const dataResult = data.result();
      const storedResult = stored.result();
      return {
        key,
        storedBytes: storedResult.bytes,
        storedSha256: storedResult.sha256,
        dataBytes: dataResult.bytes,
        dataSha256: dataResult.sha256,
        iv: iv.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
      };
    },

    async verify(artifact, dataKey, signal) {
      const discard = new PassThrough();
      discard.resume();
      await decryptInto(artifact, dataKey, discard, signal);
    },

    read: decryptInto,

    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },

    async removePrefix(prefix, signal) {
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal });
        for (const { Key } of page.Contents ?? []) {
          await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: Key! }), { abortSignal: signal });
          removed++;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return removed;
    },
  };
}

/** A readable of one buffer (a JSON document, a downloaded object) for `write`. */
export function readableOf(bytes: Buffer | string): Readable {
  return Readable.from([typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes]);
}
