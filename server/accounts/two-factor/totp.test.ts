import { describe, expect, it } from "vitest";
import { base32Decode, base32Encode, matchingTotpStep, newTotpSecret, otpauthUri, totpCode, totpStepAt } from "./totp";

// RFC 6238, appendix B: the SHA-1 key is the ASCII "12345678901234567890"; the RFC prints 8 digits, apps use the last 6.
const RFC_SECRET = base32Encode(Buffer.from("12345678901234567890", "ascii"));
const RFC_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP", () => {
  it.each(RFC_VECTORS)("at %i s gives the RFC 6238 code %s (its last six digits)", (seconds, eightDigits) => {
    expect(totpCode(RFC_SECRET, totpStepAt(seconds * 1000))).toBe(eightDigits.slice(-6));
  });

  it("base32 round-trips and reads what apps show (lower case, spaces)", () => {
    const bytes = Buffer.from("any bytes at all\u0000\u00ff", "latin1");
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
    expect(base32Decode(RFC_SECRET.toLowerCase().replace(/(.{4})/g, "$1 "))).toEqual(Buffer.from("12345678901234567890"));
    expect(() => base32Decode("ABC1")).toThrow('"1" is not a base32 character');
  });

  it("accepts one step of drift either way, refuses two, and refuses a step already used", () => {
    const secret = newTotpSecret();
    const now = 1_700_000_000_000;
    const step = totpStepAt(now);
    expect(matchingTotpStep(secret, totpCode(secret, step), now, null)).toBe(step);
    expect(matchingTotpStep(secret, totpCode(secret, step - 1), now, null)).toBe(step - 1);
    expect(matchingTotpStep(secret, totpCode(secret, step + 1), now, null)).toBe(step + 1);
    expect(matchingTotpStep(secret, totpCode(secret, step - 2), now, null)).toBeNull();
    expect(matchingTotpStep(secret, totpCode(secret, step), now, step)).toBeNull();
    expect(matchingTotpStep(secret, "12345", now, null)).toBeNull();
    expect(matchingTotpStep(secret, "abcdef", now, null)).toBeNull();
  });

  it("writes the otpauth address apps scan", () => {
    expect(otpauthUri("JBSWY3DPEHPK3PXP", "it@school.org")).toBe(
      "otpauth://totp/Lyceum:it%40school.org?secret=JBSWY3DPEHPK3PXP&issuer=Lyceum&algorithm=SHA1&digits=6&period=30",
    );
  });
});
