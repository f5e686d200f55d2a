// What each branding image may be: formats (checked by content, not name), size and dimensions.
import type { ImageSlot } from "./branding";

export type ImageFormat = "png" | "jpeg" | "webp" | "svg" | "ico";

export type ImageRule = { label: string; formats: ImageFormat[]; maxBytes: number; maxPixels: number; accept: string; hint: string };

export const IMAGE_RULES: Record<ImageSlot, ImageRule> = {
  logo: {
    label: "Logo",
    formats: ["png", "jpeg", "webp", "svg"],
    maxBytes: 1024 * 1024,
    maxPixels: 2000,
    accept: "image/png,image/jpeg,image/webp,image/svg+xml",
    hint: "PNG, JPEG, WebP or SVG; at most 1 MB and 2000 × 2000 pixels.",
  },
  favicon: {
    label: "Favicon",
    formats: ["ico", "png"],
    maxBytes: 100 * 1024,
    maxPixels: 512,
    accept: "image/x-icon,image/vnd.microsoft.icon,image/png",
    hint: "ICO or PNG; at most 100 KB.",
  },
  heroCover: {
    label: "Hero cover image (optional)",
    formats: ["png", "jpeg", "webp"],
    maxBytes: 2 * 1024 * 1024,
    maxPixels: 4000,
    accept: "image/png,image/jpeg,image/webp",
    hint: "PNG, JPEG or WebP; at most 2 MB and 4000 × 4000 pixels.",
  },
  footerLogo: {
    label: "Footer logo (optional)",
    formats: ["png", "jpeg", "webp", "svg"],
    maxBytes: 1024 * 1024,
    maxPixels: 2000,
    accept: "image/png,image/jpeg,image/webp,image/svg+xml",
    hint: "PNG, JPEG, WebP or SVG; at most 1 MB and 2000 × 2000 pixels.",
  },
};
