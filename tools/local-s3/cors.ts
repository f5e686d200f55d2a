// A bucket's CORS rules: parsed from PutBucketCors, written back by GetBucketCors, and matched against
// browsers' preflight (OPTIONS) and actual requests the way S3 does: the first rule whose origin, method and
// requested headers all match answers. https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
import { S3Error, malformedXml } from "./errors";
import { element, list, text, type XmlNode } from "./xml";

export type CorsRule = {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
};

const METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"];

export function parseCorsConfiguration(root: Record<string, XmlNode | XmlNode[] | undefined>): CorsRule[] {
  const rules = list(root.CORSRule).map((node): CorsRule => {
    const rule = element(node);
    if (!rule) throw malformedXml();
    const strings = (name: string) => list(rule[name]).map((value) => text(value) ?? "");
    const parsed: CorsRule = {
      id: text(rule.ID),
      allowedOrigins: strings("AllowedOrigin"),
      allowedMethods: strings("AllowedMethod"),
      allowedHeaders: strings("AllowedHeader"),
      exposeHeaders: strings("ExposeHeader"),
    };
    const maxAge = text(rule.MaxAgeSeconds);
    if (maxAge !== undefined) {
      if (!/^\d+$/.test(maxAge)) throw malformedXml();
      parsed.maxAgeSeconds = Number(maxAge);
    }
    if (parsed.allowedOrigins.length === 0 || parsed.allowedMethods.length === 0) throw malformedXml();
    for (const method of parsed.allowedMethods) {
      if (!METHODS.includes(method)) {
        throw new S3Error("InvalidRequest", `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
      }
    }
    for (const origin of parsed.allowedOrigins) {
      if ((origin.match(/\*/g) ?? []).length > 1) {
        throw new S3Error("InvalidRequest", `AllowedOrigin "${origin}" can not have more than one wildcard.`);
      }
    }
    for (const header of parsed.allowedHeaders) {
      if ((header.match(/\*/g) ?? []).length > 1) {
        throw new S3Error("InvalidRequest", `AllowedHeader "${header}" can not have more than one wildcard.`);
      }
    }
    if (parsed.id !== undefined && parsed.id.length > 255) throw new S3Error("InvalidArgument", "A CORS rule ID may be at most 255 characters");
    return parsed;
  });
  if (rules.length === 0) throw malformedXml();
  if (rules.length > 100) throw new S3Error("InvalidRequest", "A CORS configuration can have at most 100 rules");
  return rules;
}

export function corsConfigurationXml(rules: CorsRule[]) {
  return {
    CORSRule: rules.map((rule) => ({
      ID: rule.id,
      AllowedHeader: rule.allowedHeaders,
      AllowedMethod: rule.allowedMethods,
      AllowedOrigin: rule.allowedOrigins,
      ExposeHeader: rule.exposeHeaders,
      MaxAgeSeconds: rule.maxAgeSeconds,
    })),
  };
}

/** The first rule allowing this origin, method and every requested header; null when none does. */
export function matchCorsRule(rules: CorsRule[], request: { origin: string; method: string; requestHeaders: string[] }): CorsRule | null {
  return (
    rules.find(
      (rule) =>
        rule.allowedOrigins.some((pattern) => wildcardMatch(pattern, request.origin, false)) &&
        rule.allowedMethods.includes(request.method) &&
        request.requestHeaders.every((header) => rule.allowedHeaders.some((pattern) => wildcardMatch(pattern, header, true))),
    ) ?? null
  );
}

/** The Access-Control-* headers S3 answers a matched request with. */
export function corsHeaders(rule: CorsRule, origin: string, options: { isPreflight: boolean; requestHeaders: string[] }): Record<string, string> {
  const isAnyOrigin = rule.allowedOrigins.includes("*");
  const headers: Record<string, string> = {
    "access-control-allow-origin": isAnyOrigin ? "*" : origin,
    "access-control-allow-methods": rule.allowedMethods.join(", "),
    vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
  };
  if (!isAnyOrigin) headers["access-control-allow-credentials"] = "true";
  if (rule.exposeHeaders.length > 0) headers["access-control-expose-headers"] = rule.exposeHeaders.join(", ");
  if (rule.maxAgeSeconds !== undefined) headers["access-control-max-age"] = String(rule.maxAgeSeconds);
  if (options.isPreflight && options.requestHeaders.length > 0) headers["access-control-allow-headers"] = options.requestHeaders.join(", ");
  return headers;
}

function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const [p, v] = ignoreCase ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  const star = p.indexOf("*");
  if (star === -1) return p === v;
  const prefix = p.slice(0, star);
  const suffix = p.slice(star + 1);
  return v.length >= prefix.length + suffix.length && v.startsWith(prefix) && v.endsWith(suffix);
}
