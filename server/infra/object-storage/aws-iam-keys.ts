// Bucket keys on AWS: an IAM user per instance whose inline policy names only the instance's bucket, and an
// access key of that user. Talks to IAM's Query API through @aws-sdk/client-iam (contract-tested against a
// loopback server in tests/aws-iam-contract.test.ts; AWS itself is not reachable from here).
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  EntityAlreadyExistsException,
  IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  NoSuchEntityException,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { abortedCallReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import { bucketOnlyPolicy, uploadsBlockedPolicy, type BucketKeyIssuer, type S3KeyPair } from "./bucket-keys";

const IAM_USER_PATH = "/lyceum/";
const POLICY_NAME = "lyceum-instance-bucket";
// Separate from POLICY_NAME, so that ensurePrincipal (which rewrites that one) never lifts a block.
const QUOTA_POLICY_NAME = "lyceum-storage-quota";

export function createAwsIamKeyIssuer(options: { endpoint?: string; credentials?: S3KeyPair; callTimeoutMs?: number }): BucketKeyIssuer {
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_DRIVER_CALL_TIMEOUT_MS;
  const call = (signal: AbortSignal | undefined) => ({ abortSignal: callSignal(signal, callTimeoutMs) });
  // IAM is a global service; its requests are signed for us-east-1.
  const iam = new IAMClient({ region: "us-east-1", endpoint: options.endpoint, credentials: options.credentials, maxAttempts: 3 });

  async function send<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof NoSuchEntityException || error instanceof EntityAlreadyExistsException) throw error;
      const stopped = abortedCallReason(error, callTimeoutMs);
      if (stopped) throw new Error(`${what}: stopped, connection reset (${stopped})`);
      const { name, message, $metadata } = error as { name?: string; message: string; $metadata?: { httpStatusCode?: number } };
      throw new Error(`${what}: ${$metadata?.httpStatusCode ?? ""} ${name ?? ""} from AWS IAM: ${message}`.replace(/\s+/g, " "));
    }
  }

  async function isGone<T>(run: () => Promise<T>): Promise<boolean> {
    try {
      await run();
      return false;
    } catch (error) {
      if (error instanceof NoSuchEntityException) return true;
      throw error;
    }
  }

  async function listKeys(user: string, signal?: AbortSignal): Promise<string[]> {
    try {
      const result = await send(`list the access keys of IAM user ${user}`, () => iam.send(new ListAccessKeysCommand({ UserName: user }), call(signal)));
      return (result.AccessKeyMetadata ?? []).map((key) => key.AccessKeyId!).filter(Boolean);
    } catch (error) {
      if (error instanceof NoSuchEntityException) return [];
      throw error;
    }
  }

  async function deleteKey(user: string, accessKeyId: string, signal?: AbortSignal) {
    const gone = await isGone(() =>
      send(`delete access key ${accessKeyId}`, () => iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: accessKeyId }), call(signal))),
    );
    return { existed: !gone };
  }

  return {
    name: "aws-iam",
    hasPrincipals: true,

    async listPrincipals(signal) {
      const names: string[] = [];
      let marker: string | undefined;
      do {
        const page = await send(`list IAM users under ${IAM_USER_PATH}`, () => iam.send(new ListUsersCommand({ PathPrefix: IAM_USER_PATH, Marker: marker }), call(signal)));
        names.push(...(page.Users ?? []).map((user) => user.UserName!).filter(Boolean));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return names;
    },

    async ensurePrincipal(user, bucket, signal) {
      let isNew = true;
      try {
        await send(`create IAM user ${user}`, () =>
          iam.send(new CreateUserCommand({ UserName: user, Path: IAM_USER_PATH, Tags: [{ Key: "lyceum:bucket", Value: bucket }] }), call(signal)),
        );
      } catch (error) {
        if (!(error instanceof EntityAlreadyExistsException)) throw error;
        isNew = false;
      }
      // PutUserPolicy replaces a policy of the same name: the user converges to exactly this one bucket.
      await send(`put the bucket policy of IAM user ${user}`, () =>
        iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: POLICY_NAME, PolicyDocument: JSON.stringify(bucketOnlyPolicy(bucket)) }), call(signal)),
      );
      return { isNew };
    },

    listKeys,

    async setUploadsBlocked(user, bucket, blocked) {
      if (blocked) {
        await send(`block the uploads of IAM user ${user}`, () =>
          iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: QUOTA_POLICY_NAME, PolicyDocument: JSON.stringify(uploadsBlockedPolicy(bucket)) })),
        );
        return;
      }
      await isGone(() =>
        send(`allow the uploads of IAM user ${user} again`, () => iam.send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: QUOTA_POLICY_NAME }))),
      );
    },

    async createKey(user, _bucket, signal) {
      const result = await send(`create an access key for IAM user ${user}`, () => iam.send(new CreateAccessKeyCommand({ UserName: user }), call(signal)));
      const key = result.AccessKey;
      if (!key?.AccessKeyId || !key.SecretAccessKey) throw new Error(`create an access key for IAM user ${user}: IAM returned no key`);
      return { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    },

    deleteKey,

    async deletePrincipal(user, signal) {
      // IAM refuses to delete a user that still has policies or keys (DeleteConflict): remove those first.
      for (const accessKeyId of await listKeys(user, signal)) await deleteKey(user, accessKeyId, signal);
      let policies: string[] = [];
      try {
        const listed = await send(`list the policies of IAM user ${user}`, () => iam.send(new ListUserPoliciesCommand({ UserName: user }), call(signal)));
        policies = listed.PolicyNames ?? [];
      } catch (error) {
        if (error instanceof NoSuchEntityException) return { existed: false };
        throw error;
      }
      for (const policy of policies) {
        await isGone(() => send(`delete policy ${policy}`, () => iam.send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: policy }), call(signal))));
      }
      const gone = await isGone(() => send(`delete IAM user ${user}`, () => iam.send(new DeleteUserCommand({ UserName: user }), call(signal))));
      return { existed: !gone };
    },
  };
}
