// The instance's static pages: Markdown written by the client, rendered to HTML on the server with raw
// HTML disabled (it is escaped, never passed through) and unsafe link schemes refused.
import MarkdownIt from "markdown-it";
import { z } from "zod";

export const STATIC_PAGES = {
  about: { title: "About", path: "/about" },
  contact: { title: "Contact", path: "/contact" },
  tos: { title: "Terms of service", path: "/tos" },
  honor: { title: "Honor code", path: "/honor" },
  privacy: { title: "Privacy", path: "/privacy" },
} as const;

export type StaticPageId = keyof typeof STATIC_PAGES;
export const STATIC_PAGE_IDS = Object.keys(STATIC_PAGES) as StaticPageId[];

export const MAX_PAGE_MARKDOWN = 20_000;

const pageSchema = z.object({
  isVisible: z.boolean(),
  markdown: z.string().max(MAX_PAGE_MARKDOWN, `Keep a page under ${MAX_PAGE_MARKDOWN.toLocaleString("en-US")} characters.`),
});

export const staticPagesSchema = z
  .object(Object.fromEntries(STATIC_PAGE_IDS.map((id) => [id, pageSchema])) as Record<StaticPageId, typeof pageSchema>)
  .superRefine((pages, ctx) => {
    for (const id of STATIC_PAGE_IDS) {
      if (pages[id].isVisible && pages[id].markdown.trim() === "") {
        ctx.addIssue({
          code: "custom",
          path: [id, "markdown"],
          message: `Write the ${STATIC_PAGES[id].title} page, or hide it.`,
        });
      }
    }
  });

export type StaticPages = z.infer<typeof staticPagesSchema>;

export function defaultStaticPages(): StaticPages {
  return Object.fromEntries(STATIC_PAGE_IDS.map((id) => [id, { isVisible: false, markdown: "" }])) as StaticPages;
}

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
