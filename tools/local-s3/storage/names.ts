// S3's naming rules for buckets and keys.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
import { S3Error } from "../errors";

export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return "may hold only lower-case letters, digits, dots and hyphens, and must begin and end with a letter or digit";
  }
  if (name.includes("..")) return "must not contain two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must not look like an IP address";
  if (name.startsWith("xn--") || name.startsWith("sthree-") || name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
    return "uses a prefix or suffix that S3 reserves";
  }
  return null;
}

export function assertValidBucketName(name: string) {
  const problem = bucketNameProblem(name);
  if (problem) throw new S3Error("InvalidBucketName", `The specified bucket is not valid: it ${problem}.`, { details: { BucketName: name } });
}

export function assertValidKey(key: string) {
  if (Buffer.byteLength(key, "utf8") > 1024) throw new S3Error("KeyTooLongError", "Your key is too long");
}
