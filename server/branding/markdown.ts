// Markdown written by clients, rendered to HTML on the server with raw HTML disabled (it is escaped, never
// passed through) and unsafe link schemes refused: what learners see can carry no script.
import MarkdownIt from "markdown-it";

// html: false escapes every tag the author writes; markdown-it's validateLink already refuses javascript:,
// vbscript:, file: and non-image data: URLs; we allow only http(s), mailto and relative links besides.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false });
const defaultValidateLink = markdown.validateLink.bind(markdown);
markdown.validateLink = (url: string) => {
  if (!defaultValidateLink(url)) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase();
  return scheme === undefined || ["http", "https", "mailto"].includes(scheme);
};

/** Safe HTML for a page's Markdown: no script, no raw HTML, no script-bearing links. */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}
