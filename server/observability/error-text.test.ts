import { describe, expect, it } from "vitest";
import { truncateErrorText } from "./error-text";

describe("truncateErrorText", () => {
  it("keeps text that fits as it is", () => {
    expect(truncateErrorText("connection refused")).toBe("connection refused");
  });

  it("keeps the start of a longer text within the limit and says it was cut", () => {
    const cut = truncateErrorText(`cause: quota exceeded. ${"x".repeat(20_000)}`, 1024);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1024);
    expect(cut.startsWith("cause: quota exceeded. ")).toBe(true);
    expect(cut).toMatch(/ … \[error text cut: 20023 bytes, the first 1024 kept\]$/);
  });

  it("never splits a multi-byte character", () => {
    const cut = truncateErrorText("é".repeat(5000), 1001);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1001);
    expect(cut).not.toContain("\uFFFD");
  });
});
