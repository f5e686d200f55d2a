// Decodes an `aws-chunked` body: `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`… ending with a zero-size
// chunk and, optionally, trailing headers (the SDK sends its CRC32 there). With signed chunks every chunk's
// signature chains from the previous one, starting at the request's seed signature.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and …/sigv4-streaming-trailers.html
import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { sameHex } from "../auth/authenticate";
import { EMPTY_SHA256, scopeString, signatureOf, type Scope } from "@/server/infra/object-storage/sigv4";
import { S3Error } from "../errors";

type ChunkSigning = { seedSignature: string; key: Buffer; amzDate: string; scope: Scope; hasTrailer: boolean } | null;

const MAX_LINE_BYTES = 4096;

export class AwsChunkedDecoder extends Transform {
  /** Trailing headers (lower-case names), complete once the stream has ended. */
  readonly trailers = new Map<string, string>();
  private state: "size" | "data" | "data-end" | "trailer" | "done" = "size";
  private line = Buffer.alloc(0);
  private remaining = 0;
  private chunkSignature: string | null = null;
  private chunkHash = createHash("sha256");
  private previousSignature: string;

  /** `signing` null: unsigned chunks (STREAMING-UNSIGNED-PAYLOAD-TRAILER). */
  constructor(private readonly signing: ChunkSigning) {
    super();
    this.previousSignature = signing?.seedSignature ?? "";
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    try {
      this.consume(data);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback) {
    // The SDK ends an unsigned body without a checksum right after `0\r\n`.
    const isComplete = this.state === "done" || (this.state === "trailer" && this.line.length === 0 && !this.signing?.hasTrailer);
    if (!isComplete) return callback(incomplete("the aws-chunked body ended before its final chunk"));
    if (this.signing?.hasTrailer) this.verifyTrailerSignature();
    callback();
  }

  private consume(data: Buffer) {
    let offset = 0;
    while (offset < data.length) {
      if (this.state === "data") {
        const take = Math.min(this.remaining, data.length - offset);
        const slice = data.subarray(offset, offset + take);
        if (this.signing) this.chunkHash.update(slice);
        this.push(slice);
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) this.state = "data-end";
        continue;
      }
      if (this.state === "done") throw incomplete("unexpected bytes after the final aws-chunked chunk");
      const newline = data.indexOf(0x0a, offset);
      const end = newline === -1 ? data.length : newline + 1;
      this.line = Buffer.concat([this.line, data.subarray(offset, end)]);
      offset = end;
      if (this.line.length > MAX_LINE_BYTES) throw incomplete("an aws-chunked header line is too long");
      if (newline === -1) continue;
      const line = this.line.toString("latin1").replace(/\r?\n$/, "");
      this.line = Buffer.alloc(0);
      this.onLine(line);
    }
  }

  private onLine(line: string) {
    switch (this.state) {
      case "size": {
        const [sizeField, ...extensions] = line.split(";");
        if (!sizeField || !/^[0-9a-fA-F]+$/.test(sizeField)) throw incomplete(`bad aws-chunked chunk header "${line.slice(0, 80)}"`);
        const size = Number.parseInt(sizeField, 16);
        const signature = extensions.find((e) => e.startsWith("chunk-signature="))?.slice("chunk-signature=".length) ?? null;
        if (this.signing && !signature) throw signatureMismatch("a chunk has no chunk-signature");
        this.chunkSignature = signature;
        this.remaining = size;
        if (size === 0) {
          this.verifyChunkSignature();
          this.state = "trailer";
        } else {
          this.state = "data";
        }
        return;
      }
      case "data-end":
        if (line !== "") throw incomplete("an aws-chunked chunk is longer than its declared size");
        this.verifyChunkSignature();
        this.state = "size";
        return;
      case "trailer": {
        if (line === "") {
          this.state = "done";
          return;
        }
        const colon = line.indexOf(":");
        if (colon <= 0) throw incomplete(`bad trailing header "${line.slice(0, 80)}"`);
        this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        return;
      }
      default:
        throw incomplete("unexpected aws-chunked framing");
    }
  }

  private verifyChunkSignature() {
    if (!this.signing || this.chunkSignature === null) return;
    const toSign = [
      "AWS4-HMAC-SHA256-PAYLOAD",
      this.signing.amzDate,
      scopeString(this.signing.scope),
      this.previousSignature,
      EMPTY_SHA256,
      this.chunkHash.digest("hex"),
    ].join("\n");
    const expected = signatureOf(this.signing.key, toSign);
    if (!sameHex(expected, this.chunkSignature)) throw signatureMismatch("a chunk's signature does not match its data");
    this.previousSignature = expected;
    this.chunkHash = createHash("sha256");
  }

  private verifyTrailerSignature() {
    const signing = this.signing!;
    const provided = this.trailers.get("x-amz-trailer-signature");
    if (!provided) throw signatureMismatch("the trailing headers carry no x-amz-trailer-signature");
    const canonical = [...this.trailers].filter(([name]) => name !== "x-amz-trailer-signature").map(([name, value]) => `${name}:${value}\n`).join("");
    const toSign = [
      "AWS4-HMAC-SHA256-TRAILER",
      signing.amzDate,
      scopeString(signing.scope),
      this.previousSignature,
      createHash("sha256").update(canonical).digest("hex"),
    ].join("\n");
    if (!sameHex(signatureOf(signing.key, toSign), provided)) throw signatureMismatch("the trailer signature does not match the trailing headers");
  }
}

const incomplete = (why: string) => new S3Error("IncompleteBody", `The request body is not valid aws-chunked encoding: ${why}.`);
const signatureMismatch = (why: string) =>
  new S3Error("SignatureDoesNotMatch", `The request signature we calculated does not match the signature you provided: ${why}.`);
