// Checks an uploaded image by its content: the format from its magic bytes (never its name or the browser's
// claimed type), its real dimensions (image-size reads them from the headers), and for SVG that it is plain
// drawing, with nothing that could run script or fetch from elsewhere when a browser renders it (./svg-safety.ts).
import { imageSize } from "image-size";
import type { ImageFormat, ImageRule } from "./image-rules";
import { svgProblem } from "./svg-safety";

const CONTENT_TYPES: Record<ImageFormat, string> = {
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
  // Processing instructions and a DTD's internal subset are recognised here so that ./svg-safety.ts can say
  // what is wrong with them, instead of "not an image".
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<\?[a-z][^>]*>\s*)*(<!DOCTYPE svg[^>[]*(\[[\s\S]*?\]\s*)?>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(head)) return "svg";
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
