// Every operation this server implements, by name.
import type { OperationName } from "../routes";
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from "./acl";
import {
  deleteBucketCors, deleteBucketLifecycle, getBucketCors, getBucketLifecycleConfiguration, getBucketVersioning,
  putBucketCors, putBucketLifecycleConfiguration, putBucketVersioning,
} from "./bucket-configuration";
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from "./buckets";
import type { OperationHandler } from "./context";
import { deleteObject, deleteObjects } from "./delete-objects";
import { listObjects, listObjectsV2, listObjectVersions } from "./listing";
import {
  abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listMultipartUploads, listParts, uploadPart,
} from "./multipart";
import { copyObject, getObject, headObject, putObject } from "./objects";

export const OPERATIONS: Record<OperationName, OperationHandler> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  DeleteBucket: deleteBucket,
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  GetBucketCors: getBucketCors,
  PutBucketCors: putBucketCors,
  DeleteBucketCors: deleteBucketCors,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: deleteBucketLifecycle,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  ListMultipartUploads: listMultipartUploads,
  DeleteObjects: deleteObjects,
  PutObject: putObject,
  CopyObject: copyObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  GetObjectAcl: getObjectAcl,
  PutObjectAcl: putObjectAcl,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
};
