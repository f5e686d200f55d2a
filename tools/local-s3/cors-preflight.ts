// Browsers' CORS preflight (OPTIONS, unauthenticated as in S3) and the Access-Control-* headers of actual
// requests, both answered from the bucket's CORS rules.
import { corsHeaders, matchCorsRule } from "./cors";
import { noSuchBucket, S3Error } from "./errors";
import type { ObjectStore } from "./storage/object-store";

export function answerPreflight(store: ObjectStore, bucket: string, header: (name: string) => string | undefined): Record<string, string> {
  const origin = header("origin");
  const method = header("access-control-request-method");
  if (!origin) throw new S3Error("BadRequest", "Insufficient information. Origin request header needed.");
  if (!method) throw new S3Error("BadRequest", "Invalid Access-Control-Request-Method: null");
  if (!bucket) throw new S3Error("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.");
  const config = store.bucket(bucket);
  if (!config) throw noSuchBucket(bucket);
  if (!config.cors) throw new S3Error("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", { details: { Method: method, ResourceType: "BUCKET" } });
  const requestHeaders = (header("access-control-request-headers") ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  const rule = matchCorsRule(config.cors, { origin, method, requestHeaders });
  if (!rule) {
    throw new S3Error("AccessForbidden", "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.", {
      details: { Method: method, ResourceType: "OBJECT" },
    });
  }
  return corsHeaders(rule, origin, { isPreflight: true, requestHeaders });
}

/** Headers for an actual (non-preflight) request from `Origin`: empty unless a rule allows it. */
export function corsHeadersForRequest(store: ObjectStore, bucket: string, method: string, origin: string | undefined): Record<string, string> {
  if (!origin || !bucket) return {};
  const rules = store.bucket(bucket)?.cors;
  if (!rules) return {};
  const rule = matchCorsRule(rules, { origin, method, requestHeaders: [] });
  return rule ? corsHeaders(rule, origin, { isPreflight: false, requestHeaders: [] }) : {};
}
