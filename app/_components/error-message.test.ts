import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ErrorMessage } from "./error-message";

const render = (children: string | null | undefined, id?: string) => renderToStaticMarkup(createElement(ErrorMessage, { id }, children));

describe("ErrorMessage", () => {
  it("says the error as an alert, with the id a control's aria-describedby names", () => {
    expect(render("That subdomain is taken.", "field-subdomain-error")).toBe('<p id="field-subdomain-error" class="error" role="alert">That subdomain is taken.</p>');
  });

  it("renders nothing when there is no error", () => {
    expect(render(undefined)).toBe("");
    expect(render(null)).toBe("");
    expect(render("")).toBe("");
  });
});
