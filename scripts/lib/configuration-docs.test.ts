import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIGURATION_DOC, renderConfigurationDoc } from "./configuration-docs";

const root = path.resolve(import.meta.dirname, "../..");

describe("docs/configuration.md", () => {
  it("is what server/env.ts renders (run npm run docs:configuration after changing a variable)", () => {
    expect(readFileSync(path.join(root, CONFIGURATION_DOC), "utf8")).toBe(renderConfigurationDoc(root));
  });
});
