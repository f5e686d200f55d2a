// Checks an uploaded image by its content: the format from its magic bytes (never its name or the browser's
// claimed type), its real dimensions (image-size reads them from the headers), and for SVG anything that
// could run script or fetch from elsewhere when a browser renders it.
import { imageSize } from "image-size";
import type { ImageFormat, ImageRule } from "./image-rules";

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  png: "image/png",
  jpeg: "image/jpeg",
  webp: "image/webp",
  svg: "image/svg+xml",
  ico: "image/x-icon",
};

const FORMAT_NAMES: Record<ImageFormat, string> = { png: "PNG", jpeg: "JPEG", webp: "WebP", svg: "SVG", ico: "ICO" };

/** The format the bytes really are, or null. */
export function sniffImageFormat(bytes: Buffer): ImageFormat | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= 12 && bytes.toString("ascii", 0, 4) === "RIFF" && bytes.toString("ascii", 8, 12) === "WEBP") return "webp";
  if (bytes.length >= 6 && bytes.readUInt16LE(0) === 0 && bytes.readUInt16LE(2) === 1 && bytes.readUInt16LE(4) > 0) return "ico";
  const head = bytes.subarray(0, 1024).toString("utf8").replace(/^\uFEFF/, "").trimStart();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return "svg";
  return null;
}

/** Why an SVG is unsafe to serve as a logo, or null. */
export function svgProblem(text: string): string | null {
  if (/<script[\s>/]/i.test(text)) return "The SVG contains a script. Export it again without scripts.";
  if (/\son[a-z]+\s*=/i.test(text)) return "The SVG contains event handlers (like onload). Export it again without them.";
  if (/<foreignObject[\s>/]/i.test(text)) return "The SVG embeds HTML (foreignObject). Export it as plain shapes.";
  if (/<!ENTITY/i.test(text)) return "The SVG declares XML entities. Export it again without them.";
  // Any reference that is not to a fragment of the same file: a link, an external image, font or stylesheet.
  const references = [...text.matchAll(/(?:xlink:)?href\s*=\s*["']\s*([^"']*)["']/gi)].map((m) => m[1]!);
  if (references.some((ref) => !ref.startsWith("#"))) return "The SVG refers to other files or sites. Embed everything it needs.";
  if (/url\(\s*["']?\s*(?!#)[^)]/i.test(text) || /@import/i.test(text)) return "The SVG loads styles or images from elsewhere. Embed everything it needs.";
  return null;
}

export type CheckedImage = { format: ImageFormat; contentType: string; width: number | null; height: number | null };

export function checkImage(bytes: Buffer, rule: ImageRule): { image: CheckedImage } | { problem: string } {
  const allowed = rule.formats.map((format) => FORMAT_NAMES[format]).join(", ");
  if (bytes.length === 0) return { problem: "The file is empty." };
  if (bytes.length > rule.maxBytes) {
    return { problem: `The file is ${formatBytes(bytes.length)}; the limit is ${formatBytes(rule.maxBytes)}.` };
  }
  const format = sniffImageFormat(bytes);
  if (!format || !rule.formats.includes(format)) {
    return { problem: `This file is not ${format ? `allowed here (it is ${FORMAT_NAMES[format]})` : "an image we can use"}. Use ${allowed}.` };
  }
  if (format === "svg") {
    const problem = svgProblem(bytes.toString("utf8"));
    if (problem) return { problem };
  }
  let width: number | null = null;
  let height: number | null = null;
  try {
    const size = imageSize(bytes);
    width = size.width ?? null;
    height = size.height ?? null;
  } catch {
    if (format !== "svg") return { problem: `The ${FORMAT_NAMES[format]} file is damaged: its size cannot be read.` };
  }
  if ((width ?? 0) > rule.maxPixels || (height ?? 0) > rule.maxPixels) {
    return { problem: `The image is ${width} × ${height} pixels; the limit is ${rule.maxPixels} × ${rule.maxPixels}.` };
  }
  return { image: { format, contentType: CONTENT_TYPES[format], width, height } };
}

function formatBytes(bytes: number) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
