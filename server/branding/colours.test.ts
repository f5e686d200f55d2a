import { describe, expect, it } from "vitest";
import { brandingInput, contrastWarnings, DEFAULT_COLOURS } from "./branding";
import { contrastRatio, hexColourSchema } from "./colours";
import { defaultStaticPages } from "./static-pages";

describe("theme colours", () => {
  it.each([
    ["#0f766e", "#0f766e"],
    ["#0F766E", "#0f766e"],
    ["  #abcdef ", "#abcdef"],
  ])("accepts %j as %j", (input, expected) => {
    expect(hexColourSchema.parse(input)).toBe(expected);
  });

  it.each([["0f766e"], ["#0f766"], ["#0f766eff"], ["#ggg000"], ["teal"], [""], ["#fff"]])("rejects %j in plain words", (input) => {
    const result = hexColourSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("Use a colour like #0f766e: a # followed by six digits or letters a–f.");
  });

  it.each([
    ["#000000", "#ffffff", 21],
    ["#ffffff", "#ffffff", 1],
    ["#777777", "#ffffff", 4.48],
    ["#767676", "#ffffff", 4.54],
  ])("computes the WCAG contrast of %s on %s as %d:1", (a, b, ratio) => {
    expect(contrastRatio(a, b)).toBeCloseTo(ratio, 1);
  });

  it.each([
    [{ ...DEFAULT_COLOURS }, []],
    [{ ...DEFAULT_COLOURS, headerBackground: "#ffff00" }, ["headerBackground"]],
    [{ ...DEFAULT_COLOURS, linkColor: "#aaaaaa" }, ["linkColor"]],
    [{ ...DEFAULT_COLOURS, mainColor: "#7dd3fc", footerBackground: "#f1f5f9" }, ["mainColor", "footerBackground"]],
  ])("warns about each colour whose text falls below AA: %j", (colours, fields) => {
    expect(contrastWarnings(colours).map((warning) => warning.field)).toEqual(fields);
  });

  it("refuses low contrast unless the client accepts the warning", () => {
    const values = { ...DEFAULT_COLOURS, headerBackground: "#ffff00", acceptLowContrast: false, pages: defaultStaticPages() };
    const refused = brandingInput.safeParse(values);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(["headerBackground"]);
    expect(refused.error?.issues[0]?.message).toMatch(/^White header text would be hard to read: contrast 1\.1:1/);
    expect(brandingInput.safeParse({ ...values, acceptLowContrast: true }).success).toBe(true);
  });

  it("asks for the text of a page that is shown", () => {
    const pages = { ...defaultStaticPages(), about: { isVisible: true, markdown: "  " } };
    const result = brandingInput.safeParse({ ...DEFAULT_COLOURS, acceptLowContrast: false, pages });
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([["pages.about.markdown", "Write the About page, or hide it."]]);
  });
});
