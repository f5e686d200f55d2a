// Bucket operations: list, create, head, delete, location.
import { S3Error } from "../errors";
import { readPayload } from "../payload/body";
import { assertValidBucketName } from "../storage/names";
import { element, parseXml, text } from "../xml";
import { assertPrivateAclHeaders } from "./acl";
import { requestBody, type OperationHandler } from "./context";

export const listBuckets: OperationHandler = (context) => {
  const prefix = context.param("prefix") ?? "";
  return {
    xml: {
      root: "ListAllMyBucketsResult",
      content: {
        Owner: { ID: context.server.owner.id, DisplayName: context.server.owner.displayName },
        Buckets: {
          Bucket: context.server.store
            .listBuckets()
            .filter((bucket) => bucket.name.startsWith(prefix))
            .map((bucket) => ({ Name: bucket.name, CreationDate: bucket.createdAt, BucketRegion: context.server.region })),
        },
        Prefix: context.param("prefix"),
      },
    },
  };
};

export const createBucket: OperationHandler = async (context) => {
  assertValidBucketName(context.bucket);
  assertPrivateAclHeaders(context, "InvalidBucketAclWithObjectOwnership");
  if (context.header("x-amz-bucket-object-lock-enabled") === "true") {
    throw new S3Error("NotImplemented", "Object Lock is not implemented by this server.");
  }
  const body = await readPayload(requestBody(context));
  if (body.length > 0) {
    const configuration = parseXml(body, "CreateBucketConfiguration");
    const location = text(configuration.LocationConstraint);
    const expected = context.server.region === "us-east-1" ? [undefined, "", "us-east-1"] : [context.server.region];
    if (!expected.includes(location) || element(configuration.Bucket) !== undefined) {
      throw new S3Error("IllegalLocationConstraintException", `The ${location ?? "unspecified"} location constraint is incompatible for the region specific endpoint this request was sent to (${context.server.region}).`);
    }
  }
  context.server.store.createBucket(context.bucket, context.now);
  return { headers: { location: `/${context.bucket}` } };
};

export const headBucket: OperationHandler = (context) => {
  context.server.store.requireBucket(context.bucket);
  return { headers: { "x-amz-bucket-region": context.server.region } };
};

export const deleteBucket: OperationHandler = (context) => {
  context.server.store.deleteBucket(context.bucket);
  context.server.uploads.forgetBucket(context.bucket);
  return { status: 204 };
};

export const getBucketLocation: OperationHandler = (context) => {
  context.server.store.requireBucket(context.bucket);
  // S3 reports us-east-1 as an empty location constraint.
  return { xml: { root: "LocationConstraint", content: context.server.region === "us-east-1" ? "" : context.server.region } };
};
