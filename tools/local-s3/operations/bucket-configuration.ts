// A bucket's configuration documents: CORS, versioning and lifecycle.
import { corsConfigurationXml, parseCorsConfiguration } from "../cors";
import { malformedXml, S3Error } from "../errors";
import { lifecycleConfigurationXml, parseLifecycleConfiguration } from "../lifecycle";
import { text } from "../xml";
import { xmlBody, type OperationHandler } from "./context";

export const getBucketCors: OperationHandler = (context) => {
  const { cors } = context.server.store.requireBucket(context.bucket);
  if (!cors) {
    throw new S3Error("NoSuchCORSConfiguration", "The CORS configuration does not exist", { details: { BucketName: context.bucket } });
  }
  return { xml: { root: "CORSConfiguration", content: corsConfigurationXml(cors) } };
};

export const putBucketCors: OperationHandler = async (context) => {
  context.server.store.requireBucket(context.bucket);
  const cors = parseCorsConfiguration(await xmlBody(context, "CORSConfiguration", { isChecksumRequired: true }));
  context.server.store.updateBucket(context.bucket, { cors });
  return {};
};

export const deleteBucketCors: OperationHandler = (context) => {
  context.server.store.updateBucket(context.bucket, { cors: null });
  return { status: 204 };
};

export const getBucketVersioning: OperationHandler = (context) => {
  const { versioning } = context.server.store.requireBucket(context.bucket);
  return { xml: { root: "VersioningConfiguration", content: versioning ? { Status: versioning } : {} } };
};

export const putBucketVersioning: OperationHandler = async (context) => {
  context.server.store.requireBucket(context.bucket);
  const configuration = await xmlBody(context, "VersioningConfiguration");
  const status = text(configuration.Status);
  if (text(configuration.MfaDelete) === "Enabled") throw new S3Error("NotImplemented", "MFA delete is not implemented by this server.");
  if (status === undefined) return {};
  if (status !== "Enabled" && status !== "Suspended") throw malformedXml();
  context.server.store.updateBucket(context.bucket, { versioning: status });
  return {};
};

export const getBucketLifecycleConfiguration: OperationHandler = (context) => {
  const { lifecycle } = context.server.store.requireBucket(context.bucket);
  if (!lifecycle) {
    throw new S3Error("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", { details: { BucketName: context.bucket } });
  }
  return { xml: { root: "LifecycleConfiguration", content: lifecycleConfigurationXml(lifecycle) } };
};

export const putBucketLifecycleConfiguration: OperationHandler = async (context) => {
  context.server.store.requireBucket(context.bucket);
  const lifecycle = parseLifecycleConfiguration(await xmlBody(context, "LifecycleConfiguration", { isChecksumRequired: true }));
  context.server.store.updateBucket(context.bucket, { lifecycle });
  return { headers: { "x-amz-transition-default-minimum-object-size": "all_storage_classes_128K" } };
};

export const deleteBucketLifecycle: OperationHandler = (context) => {
  context.server.store.updateBucket(context.bucket, { lifecycle: null });
  return { status: 204 };
};
