// Bucket keys on AWS: an IAM user per instance whose inline policy names only the instance's bucket, and an
// access key of that user. Talks to IAM's Query API through @aws-sdk/client-iam (contract-tested against a
// loopback server in tests/aws-iam-contract.test.ts; AWS itself is not reachable from here).
import type { IAMClient } from "@aws-sdk/client-iam";
import { abortedCallReason, callSignal, DEFAULT_DRIVER_CALL_TIMEOUT_MS } from "../call-options";
import { bucketOnlyPolicy, uploadsBlockedPolicy, type BucketKeyIssuer, type S3KeyPair } from "./bucket-keys";

const IAM_USER_PATH = "/lyceum/";
const POLICY_NAME = "lyceum-instance-bucket";
// Separate from POLICY_NAME, so that ensurePrincipal (which rewrites that one) never lifts a block.
const QUOTA_POLICY_NAME = "lyceum-storage-quota";

type IamSdk = typeof import("@aws-sdk/client-iam");

export function createAwsIamKeyIssuer(options: { endpoint?: string; credentials?: S3KeyPair; callTimeoutMs?: number }): BucketKeyIssuer {
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_DRIVER_CALL_TIMEOUT_MS;
  const call = (signal: AbortSignal | undefined) => ({ abortSignal: callSignal(signal, callTimeoutMs) });
  // The SDK (several MB resident) is imported with the first request, not with this module: a portal on the local
  // S3 server never loads it. IAM is a global service; its requests are signed for us-east-1.
  let connection: Promise<{ sdk: IamSdk; iam: IAMClient }> | undefined;
  const connect = () =>
    (connection ??= import("@aws-sdk/client-iam").then((sdk) => ({
      sdk,
      iam: new sdk.IAMClient({ region: "us-east-1", endpoint: options.endpoint, credentials: options.credentials, maxAttempts: 3 }),
    })));
  const isNoSuchEntity = async (error: unknown) => error instanceof (await connect()).sdk.NoSuchEntityException;

  async function send<T>(what: string, run: (sdk: IamSdk, iam: IAMClient) => Promise<T>): Promise<T> {
    const { sdk, iam } = await connect();
    try {
      return await run(sdk, iam);
    } catch (error) {
      if (error instanceof sdk.NoSuchEntityException || error instanceof sdk.EntityAlreadyExistsException) throw error;
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
      if (await isNoSuchEntity(error)) return true;
      throw error;
    }
  }

  async function listKeys(user: string, signal?: AbortSignal): Promise<string[]> {
    try {
      const result = await send(`list the access keys of IAM user ${user}`, (sdk, iam) => iam.send(new sdk.ListAccessKeysCommand({ UserName: user }), call(signal)));
      return (result.AccessKeyMetadata ?? []).map((key) => key.AccessKeyId!).filter(Boolean);
    } catch (error) {
      if (await isNoSuchEntity(error)) return [];
      throw error;
    }
  }

  async function deleteKey(user: string, accessKeyId: string, signal?: AbortSignal) {
    const gone = await isGone(() =>
      send(`delete access key ${accessKeyId}`, (sdk, iam) => iam.send(new sdk.DeleteAccessKeyCommand({ UserName: user, AccessKeyId: accessKeyId }), call(signal))),
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
        const page = await send(`list IAM users under ${IAM_USER_PATH}`, (sdk, iam) => iam.send(new sdk.ListUsersCommand({ PathPrefix: IAM_USER_PATH, Marker: marker }), call(signal)));
        names.push(...(page.Users ?? []).map((user) => user.UserName!).filter(Boolean));
        marker = page.IsTruncated ? page.Marker : undefined;
      } while (marker);
      return names;
    },

    async ensurePrincipal(user, bucket, signal) {
      let isNew = true;
      try {
        await send(`create IAM user ${user}`, (sdk, iam) =>
          iam.send(new sdk.CreateUserCommand({ UserName: user, Path: IAM_USER_PATH, Tags: [{ Key: "lyceum:bucket", Value: bucket }] }), call(signal)),
        );
      } catch (error) {
        if (!(error instanceof (await connect()).sdk.EntityAlreadyExistsException)) throw error;
        isNew = false;
      }
      // PutUserPolicy replaces a policy of the same name: the user converges to exactly this one bucket.
      await send(`put the bucket policy of IAM user ${user}`, (sdk, iam) =>
        iam.send(new sdk.PutUserPolicyCommand({ UserName: user, PolicyName: POLICY_NAME, PolicyDocument: JSON.stringify(bucketOnlyPolicy(bucket)) }), call(signal)),
      );
      return { isNew };
    },

    listKeys,

    async setUploadsBlocked(user, bucket, blocked) {
      if (blocked) {
        await send(`block the uploads of IAM user ${user}`, (sdk, iam) =>
          iam.send(new sdk.PutUserPolicyCommand({ UserName: user, PolicyName: QUOTA_POLICY_NAME, PolicyDocument: JSON.stringify(uploadsBlockedPolicy(bucket)) })),
        );
        return;
      }
      await isGone(() =>
        send(`allow the uploads of IAM user ${user} again`, (sdk, iam) => iam.send(new sdk.DeleteUserPolicyCommand({ UserName: user, PolicyName: QUOTA_POLICY_NAME }))),
      );
    },

    async createKey(user, _bucket, signal) {
      const result = await send(`create an access key for IAM user ${user}`, (sdk, iam) => iam.send(new sdk.CreateAccessKeyCommand({ UserName: user }), call(signal)));
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
        const listed = await send(`list the policies of IAM user ${user}`, (sdk, iam) => iam.send(new sdk.ListUserPoliciesCommand({ UserName: user }), call(signal)));
        policies = listed.PolicyNames ?? [];
      } catch (error) {
        if (await isNoSuchEntity(error)) return { existed: false };
        throw error;
      }
      for (const policy of policies) {
        await isGone(() => send(`delete policy ${policy}`, (sdk, iam) => iam.send(new sdk.DeleteUserPolicyCommand({ UserName: user, PolicyName: policy }), call(signal))));
      }
      const gone = await isGone(() => send(`delete IAM user ${user}`, (sdk, iam) => iam.send(new sdk.DeleteUserCommand({ UserName: user }), call(signal))));
      return { existed: !gone };
    },
  };
}
