// The AWS IAM key issuer against a loopback server that checks what IAM's Query API demands (SigV4 for
// iam/us-east-1, POST / with a form body, Version=2010-05-08) and answers with IAM's XML and error codes.
// AWS itself is not reachable from here: this proves what the SDK-based driver sends, not AWS's behaviour.
import { afterAll, describe, expect, it } from "vitest";
import { createAwsIamKeyIssuer } from "@/server/infra/object-storage/aws-iam-keys";
import { bucketOnlyPolicy } from "@/server/infra/object-storage/bucket-keys";
import { startFakeIam } from "./helpers/fake-aws-iam";

const platformKey = { accessKeyId: "AKIAPLATFORMEXAMPLE1", secretAccessKey: "platform/secret/key/with+chars" };
const iam = await startFakeIam(platformKey);
const issuer = createAwsIamKeyIssuer({ endpoint: iam.endpoint, credentials: platformKey });

afterAll(() => iam.close());

const actions = () => iam.calls.map((call) => call.action);

describe("the AWS IAM key issuer (contract-tested: not against AWS)", () => {
  it("creates an IAM user under /lyceum/ whose only policy grants the instance's bucket", async () => {
    expect(await issuer.ensurePrincipal("lyc-0123456789ab", "lyc-0123456789ab")).toEqual({ isNew: true });
    expect(actions()).toEqual(["CreateUser", "PutUserPolicy"]);
    expect(iam.calls[0]!.params).toMatchObject({ UserName: "lyc-0123456789ab", Path: "/lyceum/", "Tags.member.1.Key": "lyceum:bucket" });
    const user = iam.users.get("lyc-0123456789ab")!;
    const policy = JSON.parse([...user.policies.values()][0]!);
    expect(policy).toEqual(bucketOnlyPolicy("lyc-0123456789ab"));
    const resources = policy.Statement.flatMap((statement: { Resource: string }) => [statement.Resource]);
    expect(resources).toEqual(["arn:aws:s3:::lyc-0123456789ab", "arn:aws:s3:::lyc-0123456789ab/*"]);
    expect(iam.rejected).toEqual([]);
  });

  it("treats an existing user as done and puts the same policy again", async () => {
    expect(await issuer.ensurePrincipal("lyc-0123456789ab", "lyc-0123456789ab")).toEqual({ isNew: false });
    expect(actions().slice(-2)).toEqual(["CreateUser", "PutUserPolicy"]);
    expect(iam.users.get("lyc-0123456789ab")!.policies.size).toBe(1);
  });

  it("creates, lists and deletes the user's access keys", async () => {
    const key = await issuer.createKey("lyc-0123456789ab", "lyc-0123456789ab");
    expect(key.accessKeyId).toMatch(/^AKIA[0-9A-F]{16}$/);
    expect(key.secretAccessKey).toHaveLength(40);
    expect(await issuer.listKeys("lyc-0123456789ab")).toEqual([key.accessKeyId]);
    expect(await issuer.deleteKey("lyc-0123456789ab", key.accessKeyId)).toEqual({ existed: true });
    expect(await issuer.deleteKey("lyc-0123456789ab", key.accessKeyId)).toEqual({ existed: false });
    expect(await issuer.listKeys("nobody-here")).toEqual([]);
  });

  it("deletes a user by removing its keys and policy first, as IAM requires, and finds a missing one gone", async () => {
    await issuer.createKey("lyc-0123456789ab", "lyc-0123456789ab");
    const before = iam.calls.length;
    expect(await issuer.deletePrincipal("lyc-0123456789ab")).toEqual({ existed: true });
    expect(actions().slice(before)).toEqual(["ListAccessKeys", "DeleteAccessKey", "ListUserPolicies", "DeleteUserPolicy", "DeleteUser"]);
    expect(iam.users.size).toBe(0);
    expect(await issuer.deletePrincipal("lyc-0123456789ab")).toEqual({ existed: false });
    // Every request so far passed the signature check; the only refusals are the ones the driver expects.
    expect(new Set(iam.rejected.map((r) => r.code))).toEqual(new Set(["EntityAlreadyExists", "NoSuchEntity"]));
  });

  it("reports IAM's refusal of a wrongly signed request", async () => {
    const forged = createAwsIamKeyIssuer({ endpoint: iam.endpoint, credentials: { ...platformKey, secretAccessKey: "not-the-secret" } });
    await expect(forged.ensurePrincipal("lyc-forged", "lyc-forged")).rejects.toThrow(/create IAM user lyc-forged: 403 SignatureDoesNotMatch from AWS IAM/);
    expect(iam.users.has("lyc-forged")).toBe(false);
  });
});
