// Bucket helpers shared by start-up and provisioning.
import { CreateBucketCommand, S3ServiceException, type S3Client } from "@aws-sdk/client-s3";

/**
 * The bucket exists and belongs to us afterwards: created (private, as S3 creates them now) or already there.
 * AWS's us-east-1 answers 200 rather than BucketAlreadyOwnedByYou for a bucket we own, which reads as "created".
 */
export async function ensureBucket(client: S3Client, bucket: string): Promise<"created" | "existed"> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket, ACL: "private" }));
    return "created";
  } catch (error) {
    if (error instanceof S3ServiceException && error.name === "BucketAlreadyOwnedByYou") return "existed";
    throw new Error(`create bucket ${bucket}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
