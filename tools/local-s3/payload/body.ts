// A request's body as S3 reads it: de-framed (aws-chunked), and checked at its end against everything the
// client vouched for: the signed SHA-256, Content-MD5, an x-amz-checksum-* header or trailer, the declared length.
// A failed check makes the stream error, so whatever was written from it must not be kept.
import { createHash, type Hash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import type { PayloadSigning } from "../auth/authenticate";
import { S3Error } from "../errors";
import { AwsChunkedDecoder } from "./aws-chunked";
import { checksumHeaderName, CHECKSUM_ALGORITHMS, createChecksum, parseChecksumAlgorithm, type Checksum, type ChecksumAlgorithm } from "./checksums";

export const MAX_OBJECT_BYTES = 5 * 1024 ** 3;

export type PayloadSummary = {
  size: number;
  md5Hex: string;
  /** The checksum the client sent (verified), or the one computed for `computeChecksum`. */
  checksum: { algorithm: ChecksumAlgorithm; value: string } | null;
};

export type Payload = { stream: Readable; summary(): PayloadSummary };

export function openPayload(
  request: IncomingMessage,
  headers: Map<string, string[]>,
  signing: PayloadSigning,
  options: { computeChecksum?: ChecksumAlgorithm | null; maxBytes?: number } = {},
): Payload {
  const header = (name: string) => headers.get(name)?.[0];
  const isChunked = signing.mode === "signed-chunks" || signing.mode === "unsigned-chunks";
  const decoder = isChunked ? new AwsChunkedDecoder(signing.mode === "signed-chunks" ? signing : null) : null;

  const sentChecksums = CHECKSUM_ALGORITHMS.filter((algorithm) => header(checksumHeaderName(algorithm)) !== undefined);
  const trailerName = header("x-amz-trailer")?.trim().toLowerCase();
  const trailerAlgorithm = trailerName?.startsWith("x-amz-checksum-") ? parseChecksumAlgorithm(trailerName.slice("x-amz-checksum-".length)) : null;
  if (trailerName && !trailerAlgorithm) throw new S3Error("InvalidRequest", `The trailing header ${trailerName} is not supported`);
  if (trailerName && !isChunked) throw new S3Error("InvalidRequest", "x-amz-trailer needs an aws-chunked body");
  if (sentChecksums.length + (trailerAlgorithm ? 1 : 0) > 1) throw new S3Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  const checksumAlgorithm = sentChecksums[0] ?? trailerAlgorithm ?? options.computeChecksum ?? null;

  const contentMd5 = header("content-md5");
  if (contentMd5 !== undefined && Buffer.from(contentMd5, "base64").length !== 16) {
    throw new S3Error("InvalidDigest", "The Content-MD5 you specified was invalid.");
  }
  const declaredField = header("x-amz-decoded-content-length") ?? (isChunked ? undefined : header("content-length"));
  const declaredLength = declaredField === undefined ? null : Number(declaredField);
  const maxBytes = options.maxBytes ?? MAX_OBJECT_BYTES;
  if (declaredLength !== null && declaredLength > maxBytes) {
    throw new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", { details: { MaxSizeAllowed: String(maxBytes) } });
  }

  const integrity = new IntegrityCheck({
    sha256: signing.mode === "sha256" ? signing.expectedHex : null,
    contentMd5: contentMd5 ?? null,
    checksumAlgorithm,
    expectedChecksum: sentChecksums[0]
      ? () => header(checksumHeaderName(sentChecksums[0]!)) ?? null
      : trailerAlgorithm
        ? () => decoder?.trailers.get(trailerName!) ?? null
        : null,
    declaredLength,
    maxBytes,
  });
  // Piped by hand rather than with stream.pipeline, which would destroy the request (and with it the socket)
  // on a failed check: the client must still receive S3's error document.
  const last = decoder ? decoder.pipe(integrity) : integrity;
  request.pipe(decoder ?? integrity);
  decoder?.on("error", (error) => integrity.destroy(error));
  request.on("aborted", () => integrity.destroy(new S3Error("IncompleteBody", "The client closed the connection before sending the whole body.")));
  const stream: Readable = last;
  return { stream, summary: () => integrity.summary() };
}

/** The whole (small) body, e.g. an XML document; larger than `maxBytes` is MaxMessageLengthExceeded. */
export async function readPayload(payload: Payload, maxBytes = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload.stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      payload.stream.destroy();
      throw new S3Error("MaxMessageLengthExceeded", "Your request was too big.");
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

class IntegrityCheck extends Transform {
  private size = 0;
  private readonly md5 = createHash("md5");
  private readonly sha256: Hash | null;
  private readonly checksum: Checksum | null;
  private result: PayloadSummary | null = null;

  constructor(
    private readonly expect: {
      sha256: string | null;
      contentMd5: string | null;
      checksumAlgorithm: ChecksumAlgorithm | null;
      /** Reads the value the client sent (a header, or a trailer known only at the end); null: none was sent. */
      expectedChecksum: (() => string | null) | null;
      declaredLength: number | null;
      maxBytes: number;
    },
  ) {
    super();
    this.sha256 = expect.sha256 ? createHash("sha256") : null;
    this.checksum = expect.checksumAlgorithm ? createChecksum(expect.checksumAlgorithm) : null;
  }

  summary(): PayloadSummary {
    if (!this.result) throw new Error("the payload has not been read to its end");
    return this.result;
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.size += data.length;
    if (this.size > this.expect.maxBytes) {
      return callback(new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"));
    }
    this.md5.update(data);
    this.sha256?.update(data);
    this.checksum?.update(data);
    callback(null, data);
  }

  override _flush(callback: TransformCallback) {
    const md5 = this.md5.digest();
    if (this.expect.declaredLength !== null && this.size !== this.expect.declaredLength) {
      return callback(new S3Error("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header."));
    }
    if (this.sha256 && this.sha256.digest("hex") !== this.expect.sha256) {
      return callback(new S3Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed."));
    }
    if (this.expect.contentMd5 !== null && md5.toString("base64") !== this.expect.contentMd5) {
      return callback(new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received."));
    }
    let checksum: PayloadSummary["checksum"] = null;
    if (this.checksum && this.expect.checksumAlgorithm) {
      const value = this.checksum.digestBase64();
      const expected = this.expect.expectedChecksum?.();
      if (expected === null) return callback(new S3Error("IncompleteBody", `The trailing header with the ${this.expect.checksumAlgorithm} checksum is missing.`));
      if (expected !== undefined && expected !== value) {
        return callback(new S3Error("BadDigest", `The ${this.expect.checksumAlgorithm} you specified did not match the calculated checksum.`));
      }
      checksum = { algorithm: this.expect.checksumAlgorithm, value };
    }
    this.result = { size: this.size, md5Hex: md5.toString("hex"), checksum };
    callback();
  }
}
