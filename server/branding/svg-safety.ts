// Whether an uploaded SVG is safe to serve as a logo. The file is parsed as XML (as a browser does, namespaces
// and all) and every element and attribute must be on an allow-list of plain drawing: shapes, text, gradients,
// clip paths and masks. Pattern matching on the text missed `<svg:script>`, `<animate>` rewriting an href to
// `javascript:`, and entity-encoded values; the route's CSP was the only thing stopping them.
import { XMLParser, XMLValidator } from "fast-xml-parser";

const SVG_NAMESPACE = "http://www.w3.org/2000/svg";
const XLINK_NAMESPACE = "http://www.w3.org/1999/xlink";

const ALLOWED_ELEMENTS = new Set([
  "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "defs",
  "linearGradient", "radialGradient", "stop", "clipPath", "mask", "title", "desc", "use", "symbol", "style",
]);

/** Elements refused with a message of their own, because people meet them in real exports. */
const ANIMATIONS = new Set(["animate", "set", "animateTransform", "animateMotion", "animateColor"]);

const ALLOWED_ATTRIBUTES = new Set([
  // Structure and identity.
  "id", "class", "style", "version", "baseProfile", "viewBox", "preserveAspectRatio", "transform", "type", "media",
  "role", "focusable", "tabindex", "lang", "xml:lang", "xml:space", "data-name", "href", "xlink:href", "xlink:title",
  // Geometry.
  "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr", "width", "height", "d", "points",
  "pathLength", "dx", "dy", "rotate", "textLength", "lengthAdjust",
  // Painting.
  "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
  "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity", "color", "display", "visibility", "overflow",
  "clip-path", "clip-rule", "mask", "vector-effect", "shape-rendering", "text-rendering", "image-rendering",
  "color-interpolation", "color-interpolation-filters", "paint-order", "enable-background", "isolation", "mix-blend-mode",
  // Text.
  "font-family", "font-size", "font-weight", "font-style", "font-variant", "font-stretch", "text-anchor",
  "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing", "text-decoration",
  "writing-mode",
  // Gradients, clip paths and masks.
  "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clipPathUnits",
  "maskUnits", "maskContentUnits",
]);

const isAccessibilityAttribute = (name: string) => /^aria-[a-z]+$/.test(name);

/** The five predefined XML entities; a file without a DTD can use no others. */
const PREDEFINED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

type Node = Record<string, unknown> & { ":@"?: Record<string, string | boolean> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  // Entities are left as written and decoded by this file, so no declaration can make them expand.
  processEntities: false,
  htmlEntities: false,
  removeNSPrefix: false,
  cdataPropName: "#cdata",
});

class SvgRefused extends Error {}

/** `value` as the browser reads it: character and predefined entity references decoded. */
function decodeEntities(value: string, where: string): string {
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z][a-z0-9]*);/gi, (_match, entity: string) => {
    if (entity[0] === "#") {
      const codePoint = entity[1] === "x" || entity[1] === "X" ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : "";
    }
    const decoded = PREDEFINED_ENTITIES[entity];
    if (decoded === undefined) throw new SvgRefused(`The SVG uses the undeclared entity &${entity}; in ${where}. Export it again without entities.`);
    return decoded;
  });
}

/** The value with the characters browsers skip inside a URL scheme (whitespace, controls) removed, lower case. */
const compacted = (value: string) => value.replace(/[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g, "").toLowerCase();

/** CSS with its escapes (`\\72` for "r", `\\(`) and comments resolved, as the browser's CSS parser reads it. */
function decodeCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\\([0-9a-f]{1,6})\s?|\\([\s\S])/gi, (_match, hex: string | undefined, char: string | undefined) =>
      hex ? String.fromCodePoint(Math.min(parseInt(hex, 16), 0x10ffff) || 0xfffd) : char === "\n" ? "" : char!,
    );
}

/** Why CSS (a style element or attribute) could run or fetch something, or null. */
function cssProblem(css: string, where: string): string | null {
  const text = compacted(decodeCss(css));
  if (/@import|expression\(|behavior:|-moz-binding|javascript:|vbscript:|data:/.test(text)) {
    return `The SVG's styles in ${where} load or run something from elsewhere. Embed only colours, fonts and sizes.`;
  }
  const urls = [...text.matchAll(/url\(([^)]*)\)/g)].map((match) => match[1]!.replace(/^["']|["']$/g, ""));
  if (urls.some((url) => !url.startsWith("#"))) return `The SVG's styles in ${where} refer to other files or sites. Embed everything it needs.`;
  return null;
}

function checkAttribute(element: string, name: string, rawValue: string | boolean) {
  const where = `the ${name} attribute of <${element}>`;
  if (typeof rawValue !== "string") throw new SvgRefused(`The SVG has ${where} without a value.`);
  const localName = name.includes(":") ? name.slice(name.indexOf(":") + 1) : name;
  if (/^on/i.test(localName)) throw new SvgRefused(`The SVG contains an event handler (${name} on <${element}>). Export it again without event handlers.`);
  const value = decodeEntities(rawValue, where);
  if (name === "xmlns") {
    if (value !== SVG_NAMESPACE) throw new SvgRefused(`The SVG puts <${element}> in another namespace (${value}). Export it as plain SVG.`);
    return;
  }
  if (name === "xmlns:xlink") {
    if (value !== XLINK_NAMESPACE) throw new SvgRefused(`The SVG maps the xlink prefix to ${value} on <${element}>. Export it as plain SVG.`);
    return;
  }
  // Other prefixes may be declared (editors do): an element or attribute that uses one is refused below.
  if (name.startsWith("xmlns:")) return;
  if (!ALLOWED_ATTRIBUTES.has(name) && !isAccessibilityAttribute(name)) {
    throw new SvgRefused(`The SVG has ${where}, which a logo may not use. Export it as plain SVG.`);
  }
  const scheme = compacted(value);
  if (/(?:javascript|vbscript|data):/.test(scheme)) throw new SvgRefused(`The SVG has a script or embedded data in ${where}. Export it again without them.`);
  if (localName === "href" && !/^#[A-Za-z_][\w.:-]*$/.test(value.trim())) {
    throw new SvgRefused(`The SVG's <${element}> refers to ${value.trim() || "nothing"}; only references inside the file (#id) are allowed. Embed everything it needs.`);
  }
  if (name === "style") {
    const problem = cssProblem(value, where);
    if (problem) throw new SvgRefused(problem);
  } else if (/url\(/.test(scheme) && [...scheme.matchAll(/url\(([^)]*)\)/g)].some((match) => !match[1]!.replace(/^["']/, "").startsWith("#"))) {
    throw new SvgRefused(`In the SVG, ${where} refers to other files or sites. Embed everything it needs.`);
  }
}

/** The text of a node's children (text and CDATA), for a style element. */
function textOf(children: Node[]): string {
  return children
    .map((child) => (typeof child["#text"] === "string" ? child["#text"] : Array.isArray(child["#cdata"]) ? textOf(child["#cdata"] as Node[]) : ""))
    .join("");
}

function checkElement(node: Node, parent: string | null) {
  const name = Object.keys(node).find((key) => key !== ":@")!;
  if (name === "#text") {
    decodeEntities(String(node["#text"]), `the text of <${parent}>`);
    return;
  }
  if (name === "#cdata") return;
  if (name.startsWith("?")) {
    throw new SvgRefused(`The SVG contains the processing instruction <${name}…?>, which a logo may not use. Export it as plain SVG.`);
  }
  const localName = name.includes(":") ? name.slice(name.indexOf(":") + 1) : name;
  if (name.includes(":")) {
    throw new SvgRefused(`The SVG contains <${name}>: elements with a namespace prefix${localName === "script" ? " (here a script)" : ""} are not allowed. Export it as plain SVG.`);
  }
  if (parent === null && name !== "svg") throw new SvgRefused(`The file's root element is <${name}>, not <svg>.`);
  if (name === "script") throw new SvgRefused("The SVG contains a script (<script>). Export it again without scripts.");
  if (name === "foreignObject") throw new SvgRefused("The SVG embeds HTML (<foreignObject>). Export it as plain shapes.");
  if (ANIMATIONS.has(name)) throw new SvgRefused(`The SVG contains an animation (<${name}>), which can change links and styles after this check. Export it without animations.`);
  if (!ALLOWED_ELEMENTS.has(name)) {
    throw new SvgRefused(`The SVG contains <${name}>, which a logo may not use. Use shapes, text, gradients, clip paths and masks.`);
  }
  for (const [attribute, value] of Object.entries(node[":@"] ?? {})) checkAttribute(name, attribute, value);
  const children = (node[name] as Node[] | undefined) ?? [];
  if (name === "style") {
    const problem = cssProblem(decodeEntities(textOf(children), "a <style> element"), "a <style> element");
    if (problem) throw new SvgRefused(problem);
    return;
  }
  for (const child of children) checkElement(child, name);
}

/** Why an SVG is unsafe to serve as a logo, or null. */
export function svgProblem(text: string): string | null {
  // A DTD's internal subset is where entities are declared (the "billion laughs" expands them exponentially);
  // a bare <!DOCTYPE svg PUBLIC …> as older editors write it declares nothing and is allowed.
  if (/<!ENTITY/i.test(text) || /<!DOCTYPE[^>[]*\[/i.test(text)) return "The SVG declares XML entities. Export it again without them.";
  const validation = XMLValidator.validate(text);
  if (validation !== true) return `The SVG is not well-formed XML (line ${validation.err.line}: ${validation.err.msg}). Export it again.`;
  try {
    const nodes = (parser.parse(text) as Node[]).filter((node) => !("#text" in node && String(node["#text"]).trim() === ""));
    const declaration = nodes[0] && "?xml" in nodes[0] ? nodes.shift() : undefined;
    if (declaration) for (const [attribute, value] of Object.entries(declaration[":@"] ?? {})) decodeEntities(String(value), `the XML declaration's ${attribute}`);
    for (const node of nodes) if (Object.keys(node)[0]!.startsWith("?")) checkElement(node, null);
    if (nodes.length !== 1) return "The file must hold exactly one <svg> element.";
    checkElement(nodes[0]!, null);
    return null;
  } catch (error) {
    if (error instanceof SvgRefused) return error.message;
    if (error instanceof RangeError) return "The SVG is nested too deeply to check. Export it again with fewer groups.";
    throw error;
  }
}
