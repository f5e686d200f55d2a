// The instance's static pages: which are shown, and their Markdown (rendered on the server: ./markdown.ts).
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

const MAX_PAGE_MARKDOWN = 20_000;

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
