// S3's XML dialect: request bodies parsed into plain objects whose leaves stay strings (a key "0012" must not
// become a number, nor lose its spaces), responses built from plain objects.
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { malformedXml } from "./errors";

const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/** Elements that may repeat in a request body; the parser returns them as arrays even when there is one. */
const REPEATED = new Set([
  "Object", "Part", "CORSRule", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader",
  "Rule", "Tag", "Transition", "NoncurrentVersionTransition", "Grant",
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  isArray: (name) => REPEATED.has(name),
});

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressBooleanAttributes: false });

export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] | undefined };

/** The document's root element, which must be `rootName`; anything else is MalformedXML, like S3. */
export function parseXml(body: Buffer, rootName: string): Record<string, XmlNode | XmlNode[] | undefined> {
  const text = body.toString("utf8");
  if (text.trim() === "" || XMLValidator.validate(text) !== true) throw malformedXml();
  const document = parser.parse(text) as Record<string, unknown>;
  const root = document[rootName];
  if (root === undefined) throw malformedXml();
  // `<Root/>` parses as "", and whitespace between elements as "#text": both mean "no children".
  if (typeof root === "string") return {};
  return root as Record<string, XmlNode | XmlNode[] | undefined>;
}

/** The text of a leaf element (undefined when absent). */
export function text(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (Array.isArray(node)) throw malformedXml();
  if (typeof node === "string") return node;
  const inner = node["#text"];
  return typeof inner === "string" && Object.keys(node).length === 1 ? inner : undefined;
}

/** The children of an element that holds elements (an empty element has none). */
export function element(node: XmlNode | XmlNode[] | undefined): Record<string, XmlNode | XmlNode[] | undefined> | undefined {
  if (node === undefined) return undefined;
  if (Array.isArray(node)) throw malformedXml();
  if (typeof node === "string") return node.trim() === "" ? {} : undefined;
  return node;
}

export function list(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

/**
 * `<rootName xmlns="…">…</rootName>` with an XML declaration; `undefined` members are left out. S3's error
 * documents carry no namespace (`withNamespace: false`).
 */
export function buildXml(rootName: string, content: Record<string, unknown> | string, withNamespace = true): string {
  const namespace = withNamespace ? { "@_xmlns": S3_NAMESPACE } : {};
  const root = typeof content === "string" ? { ...namespace, "#text": content } : { ...namespace, ...content };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [rootName]: dropUndefined(root) })}`;
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, dropUndefined(v)]),
    );
  }
  return value;
}
