// Real sample files, made here: a PNG and a JPEG with real headers, SVGs clean and hostile, an executable
// renamed to .png, an oversized image.
import { describe, expect, it } from "vitest";
import { checkImage, sniffImageFormat } from "./image-checks";
import { IMAGE_RULES } from "./image-rules";
import { makePng } from "@/tests/helpers/sample-images";

/** An ELF executable's first bytes, as a renamed program would start. */
const elfExecutable = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]);
const windowsExecutable = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(200, 0x90)]);

const svg = (inner: string, attributes = "") =>
  Buffer.from(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"${attributes}>${inner}</svg>`);

describe("checking uploaded images by content", () => {
  it("accepts a real PNG and reads its dimensions", () => {
    expect(checkImage(makePng(200, 80), IMAGE_RULES.logo)).toEqual({ image: { format: "png", contentType: "image/png", width: 200, height: 80 } });
  });

  it("accepts a clean SVG logo", () => {
    expect(checkImage(svg('<rect width="120" height="40" fill="#0f766e"/>'), IMAGE_RULES.logo)).toMatchObject({ image: { format: "svg", width: 120, height: 40 } });
  });

  it.each([
    ["a script", svg("<script>alert(1)</script>"), "The SVG contains a script (<script>). Export it again without scripts."],
    ["an onload handler", svg("<rect/>", ' onload="alert(1)"'), "The SVG contains an event handler (onload on <svg>). Export it again without event handlers."],
    ["an external image", svg('<image href="https://evil.example/x.png"/>'), "The SVG contains <image>, which a logo may not use. Use shapes, text, gradients, clip paths and masks."],
    ["a link", svg('<a xlink:href="javascript:alert(1)"><rect/></a>'), "The SVG contains <a>, which a logo may not use. Use shapes, text, gradients, clip paths and masks."],
    ["a reference to a site", svg('<use href="https://evil.example/x.svg#a"/>'), "The SVG's <use> refers to https://evil.example/x.svg#a; only references inside the file (#id) are allowed. Embed everything it needs."],
    ["a data: reference", svg('<use href="data:image/svg+xml;base64,PHN2Zy8+"/>'), "The SVG has a script or embedded data in the href attribute of <use>. Export it again without them."],
    ["a style attribute fetching an image", svg('<rect style="fill: u\\72l(https://evil.example/t.png)"/>'), "The SVG's styles in the style attribute of <rect> refer to other files or sites. Embed everything it needs."],
    ["a fill from another site", svg('<rect fill="url(https://evil.example/p.svg#g)"/>'), "In the SVG, the fill attribute of <rect> refers to other files or sites. Embed everything it needs."],
    ["an undeclared entity", svg("<text>&nbsp;</text>"), "The SVG uses the undeclared entity &nbsp; in the text of <text>. Export it again without entities."],
    ["a tag left open", svg("<g><rect/>"), expect.stringMatching(/^The SVG is not well-formed XML \(line 2: .*\)\. Export it again\.$/)],
    ["an unknown element", svg("<iframe/>"), "The SVG contains <iframe>, which a logo may not use. Use shapes, text, gradients, clip paths and masks."],
    ["embedded HTML", svg("<foreignObject><div>hi</div></foreignObject>"), "The SVG embeds HTML (<foreignObject>). Export it as plain shapes."],
    ["an external stylesheet", svg("<style>@import url(https://evil.example/x.css);</style>"), "The SVG's styles in a <style> element load or run something from elsewhere. Embed only colours, fonts and sizes."],
  ])("rejects an SVG with %s", (_what, file, problem) => {
    expect(checkImage(file, IMAGE_RULES.logo)).toEqual({ problem });
  });

  it("keeps an SVG that links only inside itself", () => {
    const file = svg('<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/><use href="#g"/>');
    expect(checkImage(file, IMAGE_RULES.logo)).toMatchObject({ image: { format: "svg" } });
  });

  it.each([
    ["a Linux executable renamed logo.png", elfExecutable],
    ["a Windows executable renamed logo.png", windowsExecutable],
    ["a text file", Buffer.from("just some text, not an image")],
  ])("rejects %s by its content", (_what, file) => {
    expect(sniffImageFormat(file)).toBeNull();
    expect(checkImage(file, IMAGE_RULES.logo)).toEqual({ problem: "This file is not an image we can use. Use PNG, JPEG, WebP, SVG." });
  });

  it("rejects an image larger than 2000 pixels", () => {
    expect(checkImage(makePng(2001, 10), IMAGE_RULES.logo)).toEqual({ problem: "The image is 2001 × 10 pixels; the limit is 2000 × 2000." });
  });

  it("rejects a file over the size limit", () => {
    const big = Buffer.concat([makePng(10, 10), Buffer.alloc(1024 * 1024)]);
    expect(checkImage(big, IMAGE_RULES.logo)).toMatchObject({ problem: expect.stringMatching(/^The file is 1\.0 MB; the limit is 1\.0 MB\.$/) });
  });

  it("rejects an SVG as a favicon, which must be ICO or PNG", () => {
    expect(checkImage(svg("<rect/>"), IMAGE_RULES.favicon)).toEqual({ problem: "This file is not allowed here (it is SVG). Use ICO, PNG." });
  });

  it("accepts an ICO favicon", () => {
    const png = makePng(16, 16);
    const header = Buffer.alloc(22);
    header.writeUInt16LE(0, 0);
    header.writeUInt16LE(1, 2);
    header.writeUInt16LE(1, 4);
    header.set([16, 16, 0, 0], 6);
    header.writeUInt16LE(1, 10);
    header.writeUInt16LE(32, 12);
    header.writeUInt32LE(png.length, 14);
    header.writeUInt32LE(22, 18);
    expect(checkImage(Buffer.concat([header, png]), IMAGE_RULES.favicon)).toMatchObject({ image: { format: "ico", width: 16, height: 16 } });
  });

  it("rejects a damaged PNG whose size cannot be read", () => {
    const damaged = makePng(10, 10).subarray(0, 12);
    expect(checkImage(damaged, IMAGE_RULES.logo)).toEqual({ problem: "The PNG file is damaged: its size cannot be read." });
  });
});
