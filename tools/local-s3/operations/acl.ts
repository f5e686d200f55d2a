// ACLs, limited to what new S3 buckets allow by default (Object Ownership "bucket owner enforced"): the owner
// has full control and nobody else has anything. Canned `private` is accepted; granting to anyone else is
// refused as S3 refuses it with ACLs disabled.
import { S3Error } from "../errors";
import { element, list, text } from "../xml";
import { xmlBody, type OperationContext, type OperationHandler, type Reply } from "./context";

const ALLOWED_CANNED_ACLS = ["private", "bucket-owner-full-control"];

/** Refuses an `x-amz-acl` or `x-amz-grant-*` header that would grant anyone but the owner. */
export function assertPrivateAclHeaders(context: OperationContext, code: "AccessControlListNotSupported" | "InvalidBucketAclWithObjectOwnership") {
  const canned = context.header("x-amz-acl");
  const grants = [...context.headers.keys()].filter((name) => name.startsWith("x-amz-grant-"));
  if ((canned !== undefined && !ALLOWED_CANNED_ACLS.includes(canned)) || grants.length > 0) {
    throw new S3Error(code, code === "AccessControlListNotSupported"
      ? "The bucket does not allow ACLs: only the canned ACL private is supported."
      : "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting: only the canned ACL private is supported.");
  }
}

function ownerOnlyPolicy(context: OperationContext): Reply {
  const { id, displayName } = context.server.owner;
  return {
    xml: {
      root: "AccessControlPolicy",
      content: {
        Owner: { ID: id, DisplayName: displayName },
        AccessControlList: {
          Grant: {
            Grantee: { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ID: id, DisplayName: displayName },
            Permission: "FULL_CONTROL",
          },
        },
      },
    },
  };
}

async function putPrivateAcl(context: OperationContext): Promise<Reply> {
  assertPrivateAclHeaders(context, "AccessControlListNotSupported");
  if (context.header("x-amz-acl") === undefined) {
    const policy = await xmlBody(context, "AccessControlPolicy");
    const grants = list(element(policy.AccessControlList)?.Grant).map((grant) => element(grant) ?? {});
    const isOwnerOnly = grants.every(
      (grant) => text(element(grant.Grantee)?.ID) === context.server.owner.id && text(grant.Permission) === "FULL_CONTROL",
    );
    if (!isOwnerOnly) throw new S3Error("AccessControlListNotSupported", "The bucket does not allow ACLs: only the owner may hold a grant.");
  }
  return {};
}

export const getBucketAcl: OperationHandler = (context) => {
  context.server.store.requireBucket(context.bucket);
  return ownerOnlyPolicy(context);
};

export const putBucketAcl: OperationHandler = async (context) => {
  context.server.store.requireBucket(context.bucket);
  return putPrivateAcl(context);
};

export const getObjectAcl: OperationHandler = (context) => {
  const latest = context.server.store.latest(context.bucket, context.key);
  if (!latest || latest.isDeleteMarker) throw new S3Error("NoSuchKey", "The specified key does not exist.", { details: { Key: context.key } });
  return ownerOnlyPolicy(context);
};

export const putObjectAcl: OperationHandler = async (context) => {
  const latest = context.server.store.latest(context.bucket, context.key);
  if (!latest || latest.isDeleteMarker) throw new S3Error("NoSuchKey", "The specified key does not exist.", { details: { Key: context.key } });
  return putPrivateAcl(context);
};
