import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("static page Markdown", () => {
  it("renders ordinary Markdown", () => {
    expect(renderMarkdown("# About us\n\nWe teach **welding**. [Contact](https://school.example/contact)")).toBe(
      '<h1>About us</h1>\n<p>We teach <strong>welding</strong>. <a href="https://school.example/contact">Contact</a></p>\n',
    );
  });

  it.each([
    ["a script tag", "<script>alert(1)</script>", "<script"],
    ["an inline event handler", '<img src="x" onerror="alert(1)">', "<img"],
    ["an iframe", '<iframe src="https://evil.example"></iframe>', "<iframe"],
    ["a style block", "<style>body{display:none}</style>", "<style"],
    ["raw HTML inside a paragraph", "Hello <b onclick='x()'>there</b>", "<b "],
  ])("escapes %s instead of passing it through", (_what, source, forbidden) => {
    const html = renderMarkdown(source);
    expect(html).not.toContain(forbidden);
    expect(html).toContain("&lt;");
  });

  it.each([
    ["javascript:", "[click](javascript:alert(1))"],
    ["JavaScript: in capitals", "[click](JAVASCRIPT:alert(1))"],
    ["vbscript:", "[click](vbscript:msgbox)"],
    ["data:", "[click](data:text/html;base64,PHNjcmlwdD4=)"],
    ["a data: image", "![x](data:image/svg+xml;base64,PHN2Zz4=)"],
    ["file:", "[click](file:///etc/passwd)"],
  ])("refuses %s links", (_what, source) => {
    const html = renderMarkdown(source);
    expect(html).not.toMatch(/href=|src=/);
  });

  it.each([
    ["https", "[x](https://a.example)", 'href="https://a.example"'],
    ["mailto", "[x](mailto:hi@a.example)", 'href="mailto:hi@a.example"'],
    ["relative", "[x](/contact)", 'href="/contact"'],
  ])("keeps %s links", (_what, source, expected) => {
    expect(renderMarkdown(source)).toContain(expected);
  });
});
