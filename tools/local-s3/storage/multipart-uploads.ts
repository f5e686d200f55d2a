// Multipart uploads in progress: <bucket dir>/uploads/<upload id>/upload.json plus one file per part.
// Completing one concatenates the parts into a staged blob that becomes an ordinary object version.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { rename } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { S3Error } from "../errors";
import { checksumOf, type ChecksumAlgorithm } from "../payload/checksums";
import type { PayloadSummary } from "../payload/body";
import { isRandomId, randomId, writeJsonAtomically } from "./files";
import type { ObjectData, ObjectHeaders, ObjectStore, StagedBlob, StoredChecksum } from "./object-store";

const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

type UploadedPart = {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: string;
  checksum: { algorithm: ChecksumAlgorithm; value: string } | null;
  file: string;
};

type MultipartUpload = {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: string;
  headers: ObjectHeaders;
  metadata: Record<string, string>;
  storageClass: string;
  /** Set by CreateMultipartUpload's x-amz-checksum-algorithm: every part then carries this checksum. */
  checksumAlgorithm: ChecksumAlgorithm | null;
  parts: Record<string, UploadedPart>;
};

/** A part as CompleteMultipartUpload lists it. */
export type CompletedPart = { partNumber: number; etag: string; checksum?: string };

export class MultipartUploads {
  private readonly uploads = new Map<string, MultipartUpload>();

  constructor(private readonly objects: ObjectStore) {
    for (const bucket of objects.listBuckets()) {
      const dir = path.join(objects.bucketDir(bucket.name), "uploads");
      if (!existsSync(dir)) continue;
      for (const uploadId of readdirSync(dir)) {
        const file = path.join(dir, uploadId, "upload.json");
        if (existsSync(file)) this.uploads.set(uploadId, JSON.parse(readFileSync(file, "utf8")) as MultipartUpload);
      }
    }
  }

  create(bucket: string, key: string, fields: Pick<MultipartUpload, "headers" | "metadata" | "storageClass" | "checksumAlgorithm">, now: Date): MultipartUpload {
    const upload: MultipartUpload = { uploadId: randomId(36), bucket, key, initiated: now.toISOString(), parts: {}, ...fields };
    mkdirSync(this.dirOf(upload), { recursive: true });
    this.save(upload);
    return upload;
  }

  /** The upload, which must belong to this bucket and key (S3 answers NoSuchUpload otherwise). */
  get(bucket: string, key: string, uploadId: string): MultipartUpload {
    const upload = isRandomId(uploadId) ? this.uploads.get(uploadId) : undefined;
    if (!upload || upload.bucket !== bucket || upload.key !== key || !this.objects.bucket(bucket)) {
      throw new S3Error("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", {
        details: { UploadId: uploadId },
      });
    }
    return upload;
  }

  /** Uploads in progress in a bucket, by key then initiation time. */
  list(bucket: string): MultipartUpload[] {
    return [...this.uploads.values()]
      .filter((upload) => upload.bucket === bucket)
      .sort((a, b) => (a.key === b.key ? a.initiated.localeCompare(b.initiated) : Buffer.compare(Buffer.from(a.key), Buffer.from(b.key))));
  }

  async savePart(upload: MultipartUpload, partNumber: number, staged: StagedBlob, summary: PayloadSummary, now: Date): Promise<UploadedPart> {
    const file = `part-${partNumber}-${randomId(9)}`;
    await rename(staged.path, path.join(this.dirOf(upload), file));
    const previous = upload.parts[partNumber];
    const part: UploadedPart = { partNumber, etag: summary.md5Hex, size: summary.size, lastModified: now.toISOString(), checksum: summary.checksum, file };
    upload.parts[partNumber] = part;
    this.save(upload);
    if (previous) rmSync(path.join(this.dirOf(upload), previous.file), { force: true });
    return part;
  }

  /**
   * Checks the client's part list like S3 (ascending, every part uploaded with that ETag, all but the last at
   * least 5 MiB) and writes the parts, in order, into one staged blob.
   */
  async assemble(upload: MultipartUpload, listed: CompletedPart[], staged: StagedBlob): Promise<Omit<ObjectData, keyof ObjectHeaders | "metadata" | "storageClass">> {
    if (listed.length === 0) throw new S3Error("MalformedXML", "You must specify at least one part");
    const parts: UploadedPart[] = [];
    for (const [index, entry] of listed.entries()) {
      if (index > 0 && entry.partNumber <= listed[index - 1]!.partNumber) {
        throw new S3Error("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
      }
      const part = upload.parts[entry.partNumber];
      if (!part || part.etag !== entry.etag.replace(/"/g, "") || (entry.checksum !== undefined && entry.checksum !== part.checksum?.value)) {
        throw new S3Error("InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.", {
          details: { PartNumber: String(entry.partNumber), UploadId: upload.uploadId },
        });
      }
      parts.push(part);
    }
    for (const part of parts.slice(0, -1)) {
      if (part.size < MIN_PART_BYTES) {
        throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", {
          details: { PartNumber: String(part.partNumber), ProposedSize: String(part.size), MinSizeAllowed: String(MIN_PART_BYTES) },
        });
      }
    }
    const output = createWriteStream(staged.path);
    for (const part of parts) {
      await pipeline(createReadStream(path.join(this.dirOf(upload), part.file)), output, { end: false });
    }
    await new Promise<void>((resolve, reject) => output.end((error?: Error | null) => (error ? reject(error) : resolve())));

    const md5s = Buffer.concat(parts.map((part) => Buffer.from(part.etag, "hex")));
    return {
      size: parts.reduce((sum, part) => sum + part.size, 0),
      etag: `${createHash("md5").update(md5s).digest("hex")}-${parts.length}`,
      checksum: compositeChecksum(upload.checksumAlgorithm, parts),
      partCount: parts.length,
    };
  }

  remove(upload: MultipartUpload) {
    this.uploads.delete(upload.uploadId);
    rmSync(this.dirOf(upload), { recursive: true, force: true });
  }

  /** Forgets a deleted bucket's uploads (their files went with the bucket's folder). */
  forgetBucket(bucket: string) {
    for (const upload of this.uploads.values()) if (upload.bucket === bucket) this.uploads.delete(upload.uploadId);
  }

  private save(upload: MultipartUpload) {
    this.uploads.set(upload.uploadId, upload);
    writeJsonAtomically(path.join(this.dirOf(upload), "upload.json"), upload);
  }

  private dirOf(upload: MultipartUpload) {
    return path.join(this.objects.bucketDir(upload.bucket), "uploads", upload.uploadId);
  }
}

/** S3's checksum of a multipart object: the checksum of the parts' raw checksums, then `-<part count>`. */
function compositeChecksum(algorithm: ChecksumAlgorithm | null, parts: UploadedPart[]): StoredChecksum | null {
  if (!algorithm || parts.some((part) => part.checksum?.algorithm !== algorithm)) return null;
  const raw = Buffer.concat(parts.map((part) => Buffer.from(part.checksum!.value, "base64")));
  return { algorithm, value: `${checksumOf(algorithm, raw)}-${parts.length}`, type: "COMPOSITE" };
}
