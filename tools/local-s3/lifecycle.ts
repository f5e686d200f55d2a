// A bucket's lifecycle configuration: validated like S3 validates PutBucketLifecycleConfiguration, stored, and
// written back by GetBucketLifecycleConfiguration. `lifecycle-runner.ts` applies the expiration actions.
// Storage-class transitions and tag filters have no meaning here and are refused as NotImplemented.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
import { randomBytes } from "node:crypto";
import { malformedXml, S3Error } from "./errors";
import { element, list, text, type XmlNode } from "./xml";

export type LifecycleFilter = { prefix: string; objectSizeGreaterThan?: number; objectSizeLessThan?: number };

export type LifecycleRule = {
  id: string;
  status: "Enabled" | "Disabled";
  filter: LifecycleFilter;
  /** The rule used the old rule-level `<Prefix>` instead of `<Filter>` (kept so GET returns the same shape). */
  hasLegacyPrefix: boolean;
  expiration?: { days?: number; date?: string; expiredObjectDeleteMarker?: boolean };
  noncurrentVersionExpiration?: { noncurrentDays: number; newerNoncurrentVersions?: number };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
};

type Element = Record<string, XmlNode | XmlNode[] | undefined>;

export function parseLifecycleConfiguration(root: Element): LifecycleRule[] {
  const rules = list(root.Rule).map((node) => parseRule(element(node) ?? fail()));
  if (rules.length === 0) throw malformedXml();
  if (rules.length > 1000) throw new S3Error("InvalidRequest", "A lifecycle configuration can have at most 1000 rules");
  const ids = rules.map((rule) => rule.id);
  if (new Set(ids).size !== ids.length) throw new S3Error("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule");
  return rules;
}

function parseRule(rule: Element): LifecycleRule {
  for (const unsupported of ["Transition", "NoncurrentVersionTransition"]) {
    if (rule[unsupported] !== undefined) throw new S3Error("NotImplemented", `${unsupported}: this server has one storage class, so lifecycle transitions are not implemented`);
  }
  const id = text(rule.ID) ?? randomBytes(16).toString("base64url");
  if (id.length > 255) throw new S3Error("InvalidArgument", "ID length should not exceed allowed limit of 255");
  const status = text(rule.Status);
  if (status !== "Enabled" && status !== "Disabled") throw malformedXml();
  if (rule.Filter !== undefined && rule.Prefix !== undefined) throw malformedXml();
  const hasLegacyPrefix = rule.Prefix !== undefined;
  const filter = hasLegacyPrefix ? { prefix: text(rule.Prefix) ?? "" } : parseFilter(rule.Filter);

  const parsed: LifecycleRule = { id, status, filter, hasLegacyPrefix };
  const expiration = element(rule.Expiration);
  if (rule.Expiration !== undefined) {
    if (!expiration) throw malformedXml();
    const days = text(expiration.Days);
    const date = text(expiration.Date);
    const marker = text(expiration.ExpiredObjectDeleteMarker);
    if ([days, date, marker].filter((v) => v !== undefined).length !== 1) throw malformedXml();
    if (days !== undefined) parsed.expiration = { days: positiveInteger(days, "'Days' for Expiration action must be a positive integer") };
    if (date !== undefined) parsed.expiration = { date: midnightUtc(date) };
    if (marker !== undefined) {
      if (marker !== "true" && marker !== "false") throw malformedXml();
      parsed.expiration = { expiredObjectDeleteMarker: marker === "true" };
    }
  }
  if (rule.NoncurrentVersionExpiration !== undefined) {
    const noncurrent = element(rule.NoncurrentVersionExpiration) ?? fail();
    const days = text(noncurrent.NoncurrentDays);
    if (days === undefined) throw malformedXml();
    parsed.noncurrentVersionExpiration = { noncurrentDays: positiveInteger(days, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer") };
    const newer = text(noncurrent.NewerNoncurrentVersions);
    if (newer !== undefined) {
      const count = positiveInteger(newer, "NewerNoncurrentVersions must be a positive integer");
      if (count > 100) throw new S3Error("InvalidArgument", "NewerNoncurrentVersions must be at most 100");
      parsed.noncurrentVersionExpiration.newerNoncurrentVersions = count;
    }
  }
  if (rule.AbortIncompleteMultipartUpload !== undefined) {
    const abort = element(rule.AbortIncompleteMultipartUpload) ?? fail();
    const days = text(abort.DaysAfterInitiation);
    if (days === undefined) throw malformedXml();
    parsed.abortIncompleteMultipartUpload = { daysAfterInitiation: positiveInteger(days, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer") };
  }
  if (!parsed.expiration && !parsed.noncurrentVersionExpiration && !parsed.abortIncompleteMultipartUpload) {
    throw new S3Error("InvalidRequest", "At least one action needs to be specified in a rule");
  }
  return parsed;
}

function parseFilter(node: XmlNode | XmlNode[] | undefined): LifecycleFilter {
  if (node === undefined) return { prefix: "" };
  const filter = element(node) ?? fail();
  const conditions = Object.keys(filter).filter((name) => name !== "#text");
  if (conditions.length > 1) throw malformedXml();
  if (filter.Tag !== undefined) throw new S3Error("NotImplemented", "Lifecycle filters on object tags are not implemented (objects here have no tags)");
  if (filter.And !== undefined) {
    const and = element(filter.And) ?? fail();
    if (and.Tag !== undefined) throw new S3Error("NotImplemented", "Lifecycle filters on object tags are not implemented (objects here have no tags)");
    return sizeLimits({ prefix: text(and.Prefix) ?? "" }, and);
  }
  return sizeLimits({ prefix: text(filter.Prefix) ?? "" }, filter);
}

function sizeLimits(filter: LifecycleFilter, node: Element): LifecycleFilter {
  const greater = text(node.ObjectSizeGreaterThan);
  const less = text(node.ObjectSizeLessThan);
  if (greater !== undefined) filter.objectSizeGreaterThan = nonNegativeInteger(greater);
  if (less !== undefined) filter.objectSizeLessThan = positiveInteger(less, "ObjectSizeLessThan must be a positive integer");
  if (filter.objectSizeGreaterThan !== undefined && filter.objectSizeLessThan !== undefined && filter.objectSizeGreaterThan >= filter.objectSizeLessThan) {
    throw new S3Error("InvalidRequest", "ObjectSizeGreaterThan must be less than ObjectSizeLessThan");
  }
  return filter;
}

export function lifecycleConfigurationXml(rules: LifecycleRule[]) {
  return {
    Rule: rules.map((rule) => ({
      ID: rule.id,
      ...(rule.hasLegacyPrefix ? { Prefix: rule.filter.prefix } : { Filter: filterXml(rule.filter) }),
      Status: rule.status,
      Expiration: rule.expiration && {
        Days: rule.expiration.days,
        Date: rule.expiration.date,
        ExpiredObjectDeleteMarker: rule.expiration.expiredObjectDeleteMarker,
      },
      NoncurrentVersionExpiration: rule.noncurrentVersionExpiration && {
        NoncurrentDays: rule.noncurrentVersionExpiration.noncurrentDays,
        NewerNoncurrentVersions: rule.noncurrentVersionExpiration.newerNoncurrentVersions,
      },
      AbortIncompleteMultipartUpload: rule.abortIncompleteMultipartUpload && {
        DaysAfterInitiation: rule.abortIncompleteMultipartUpload.daysAfterInitiation,
      },
    })),
  };
}

function filterXml(filter: LifecycleFilter) {
  const conditions = {
    Prefix: filter.prefix === "" ? undefined : filter.prefix,
    ObjectSizeGreaterThan: filter.objectSizeGreaterThan,
    ObjectSizeLessThan: filter.objectSizeLessThan,
  };
  const count = Object.values(conditions).filter((value) => value !== undefined).length;
  if (count === 0) return "";
  return count === 1 ? conditions : { And: conditions };
}

/** Whether a rule's filter selects this key (and size, for objects). */
export function ruleSelects(rule: LifecycleRule, key: string, size: number | null): boolean {
  if (!key.startsWith(rule.filter.prefix)) return false;
  if (size === null) return true;
  if (rule.filter.objectSizeGreaterThan !== undefined && !(size > rule.filter.objectSizeGreaterThan)) return false;
  if (rule.filter.objectSizeLessThan !== undefined && !(size < rule.filter.objectSizeLessThan)) return false;
  return true;
}

function positiveInteger(value: string, message: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new S3Error("InvalidArgument", message);
  return Number(value);
}

function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new S3Error("InvalidArgument", "Object size limits must be whole numbers of bytes");
  return Number(value);
}

function midnightUtc(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new S3Error("InvalidArgument", "'Date' must be an ISO 8601 date");
  if (date.getTime() % 86_400_000 !== 0) throw new S3Error("InvalidArgument", "'Date' must be at midnight GMT");
  return date.toISOString();
}

const fail = (): never => {
  throw malformedXml();
};
