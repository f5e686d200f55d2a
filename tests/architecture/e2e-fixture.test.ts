// Every e2e spec takes `test` from e2e/fixtures/test.ts, so every page the suite visits is checked with axe
// (and for sideways scrolling on a phone): a spec importing Playwright's own `test` would skip the checks.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const E2E = path.resolve(import.meta.dirname, "../../e2e");
const specs = readdirSync(E2E).filter((name) => name.endsWith(".spec.ts"));

describe("e2e specs", () => {
  it("exist", () => {
    expect(specs.length).toBeGreaterThan(0);
  });

  it.each(specs)("%s takes test from the checking fixture", (name) => {
    const source = readFileSync(path.join(E2E, name), "utf8");
    expect(source).toMatch(/import \{[^}]*\btest\b[^}]*\} from "\.\/fixtures\/test";/);
    expect(source).not.toMatch(/import \{[^}]*\btest\b[^}]*\} from "@playwright\/test";/);
  });
});
