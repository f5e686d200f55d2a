// The checksums S3 accepts beside Content-MD5 (`x-amz-checksum-<algorithm>`, base64 of the big-endian digest).
// The SDK sends CRC32 by default. https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
import { createHash } from "node:crypto";
import zlib from "node:zlib";

export const CHECKSUM_ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export const checksumHeaderName = (algorithm: ChecksumAlgorithm) => `x-amz-checksum-${algorithm.toLowerCase()}`;

export function parseChecksumAlgorithm(value: string): ChecksumAlgorithm | null {
  const upper = value.toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : null;
}

export interface Checksum {
  update(data: Buffer): void;
  /** base64 of the digest, as S3 writes it. */
  digestBase64(): string;
}

export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case "SHA1":
    case "SHA256": {
      const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
      return { update: (data) => void hash.update(data), digestBase64: () => hash.digest("base64") };
    }
    case "CRC32": {
      let crc = 0;
      return { update: (data) => void (crc = zlib.crc32(data, crc)), digestBase64: () => uint32Base64(crc) };
    }
    case "CRC32C": {
      let crc = 0xffffffff;
      return {
        update(data) {
          for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
        },
        digestBase64: () => uint32Base64((crc ^ 0xffffffff) >>> 0),
      };
    }
    case "CRC64NVME": {
      // 64-bit CRC kept as two 32-bit halves (BigInt per byte would be far too slow).
      let high = 0xffffffff;
      let low = 0xffffffff;
      return {
        update(data) {
          for (const byte of data) {
            const index = (low ^ byte) & 0xff;
            low = ((low >>> 8) | ((high & 0xff) << 24)) ^ CRC64_LOW[index]!;
            high = (high >>> 8) ^ CRC64_HIGH[index]!;
          }
        },
        digestBase64() {
          const out = Buffer.alloc(8);
          out.writeUInt32BE((high ^ 0xffffffff) >>> 0, 0);
          out.writeUInt32BE((low ^ 0xffffffff) >>> 0, 4);
          return out.toString("base64");
        },
      };
    }
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const checksum = createChecksum(algorithm);
  checksum.update(data);
  return checksum.digestBase64();
}

function uint32Base64(value: number) {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out.toString("base64");
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

const [CRC64_HIGH, CRC64_LOW] = (() => {
  const polynomial = 0x9a6c9329ac4bc9b5n; // CRC-64/NVME, reflected
  const high = new Uint32Array(256);
  const low = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? polynomial ^ (c >> 1n) : c >> 1n;
    high[n] = Number(c >> 32n);
    low[n] = Number(c & 0xffffffffn);
  }
  return [high, low];
})();
