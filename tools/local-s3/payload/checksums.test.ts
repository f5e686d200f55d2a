import { describe, expect, it } from "vitest";
import { checksumOf, createChecksum, type ChecksumAlgorithm } from "./checksums";

// Each algorithm's published check value: the digest of the ASCII string "123456789".
const CHECK_VALUES: Record<ChecksumAlgorithm, string> = {
  CRC32: "cbf43926",
  CRC32C: "e3069283",
  CRC64NVME: "ae8b14860a799888",
  SHA1: "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
  SHA256: "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
};

describe("checksums", () => {
  it.each(Object.entries(CHECK_VALUES))("%s gives its published check value", (algorithm, hex) => {
    expect(Buffer.from(checksumOf(algorithm as ChecksumAlgorithm, Buffer.from("123456789")), "base64").toString("hex")).toBe(hex);
  });

  it.each(Object.keys(CHECK_VALUES))("%s gives the same digest fed in pieces", (algorithm) => {
    const checksum = createChecksum(algorithm as ChecksumAlgorithm);
    for (const piece of ["12", "345", "", "6789"]) checksum.update(Buffer.from(piece));
    expect(checksum.digestBase64()).toBe(checksumOf(algorithm as ChecksumAlgorithm, Buffer.from("123456789")));
  });
});
