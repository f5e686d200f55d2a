import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TableSection } from "./table-section";

const render = (isEmpty: boolean) =>
  renderToStaticMarkup(
    createElement(
      TableSection,
      { title: "Failed jobs", columns: ["Job", "Task"], isEmpty, empty: "No job has failed for good." },
      createElement("tr", null, createElement("td", null, "42"), createElement("td", null, "provision")),
    ),
  );

describe("TableSection", () => {
  it("is a region named by its heading, with a table of the same name", () => {
    expect(render(false)).toBe(
      '<section class="card" aria-labelledby="failed-jobs-heading"><h2 id="failed-jobs-heading" class="mt-0">Failed jobs</h2>' +
        // The table scrolls inside its own box (keyboard-focusable) on a narrow screen.
        '<div class="table-scroll" tabindex="0"><table class="data" aria-label="Failed jobs"><thead><tr><th>Job</th><th>Task</th></tr></thead>' +
        "<tbody><tr><td>42</td><td>provision</td></tr></tbody></table></div></section>",
    );
  });

  it("says so instead of an empty table", () => {
    const html = render(true);
    expect(html).toContain("<p>No job has failed for good.</p>");
    expect(html).not.toContain("<table");
  });
});
