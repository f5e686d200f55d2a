import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./safe-redirect";

describe("safeRedirectPath", () => {
  it("keeps paths on this site, with their query", () => {
    expect(safeRedirectPath("/instances/42?tab=events")).toBe("/instances/42?tab=events");
    expect(safeRedirectPath("/instances?search=a%20b")).toBe("/instances?search=a%20b");
  });

  it("refuses other hosts however they are spelled", () => {
    for (const next of ["//evil.example", "/\\evil.example", "/%5Cevil.example", "/%2F%2Fevil.example", "/%252F%252Fevil.example", "https://evil.example", "http:evil.example", "/%E0%A4%A"]) {
      expect(safeRedirectPath(next)).toBe("/instances");
    }
  });

  it("uses the fallback given", () => {
    expect(safeRedirectPath("//evil.example", "/")).toBe("/");
  });
});
