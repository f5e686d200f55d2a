import { describe, expect, it } from "vitest";
import { compareVersions, exactVersionSchema } from "./versions";

describe("release versions", () => {
  it("are exact: a range or a tag is refused", () => {
    expect(exactVersionSchema.safeParse("17.0.6").success).toBe(true);
    for (const floating of [">=17.0.0,<18.0.0", "17", "17.0", "latest", "17.0.*", "~=17.0"]) expect(exactVersionSchema.safeParse(floating).success).toBe(false);
  });

  it("order by number, not by text", () => {
    expect(compareVersions("18.2.2", "17.0.6")).toBeGreaterThan(0);
    expect(compareVersions("17.0.10", "17.0.6")).toBeGreaterThan(0);
    expect(compareVersions("17.0.6", "17.0.6")).toBe(0);
    expect(compareVersions("9.9.9", "17.0.0")).toBeLessThan(0);
  });
});
