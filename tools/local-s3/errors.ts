// S3's error codes with the HTTP status S3 answers them with. Handlers throw `S3Error`; the HTTP layer renders
// it as S3's `<Error><Code>…` document (HEAD responses carry the status only, as S3's do).
// Reference: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
const STATUS = {
  AccessControlListNotSupported: 400,
  AccessDenied: 403,
  AccessForbidden: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BadRequest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IllegalLocationConstraintException: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketAclWithObjectOwnership: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidStorageClass: 400,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MaxMessageLengthExceeded: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchCORSConfiguration: 404,
  /** IAM's code, used by the admin API for an unknown access key. */
  NoSuchEntity: 404,
  NoSuchKey: 404,
  /** Ceph RGW's answer to a write past a bucket's quota (S3 itself has no quotas; MinIO and Ceph do). */
  QuotaExceeded: 403,
  NoSuchLifecycleConfiguration: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

type S3ErrorCode = keyof typeof STATUS;

export class S3Error extends Error {
  readonly status: number;
  /** Extra elements of the error document (S3 adds e.g. `<Key>`, `<BucketName>`, `<ServerTime>`). */
  readonly details: Record<string, string>;
  /** Headers the error response carries (e.g. `x-amz-delete-marker` on a GET of a deleted key). */
  readonly headers: Record<string, string>;

  constructor(
    readonly code: S3ErrorCode,
    message: string,
    options: { details?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "S3Error";
    this.status = STATUS[code];
    this.details = options.details ?? {};
    this.headers = options.headers ?? {};
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error("NoSuchBucket", "The specified bucket does not exist", { details: { BucketName: bucket } });

export const accessDenied = (message = "Access Denied") => new S3Error("AccessDenied", message);

export const malformedXml = () =>
  new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
