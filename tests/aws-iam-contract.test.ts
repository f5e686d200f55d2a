// The AWS IAM key issuer against a loopback server that checks what IAM's Query API demands (SigV4 for
// iam/us-east-1, POST / with a form body, Version=2010-05-08) and answers with IAM's XML and error codes.
// AWS itself is not reachable from here: this proves what the SDK-based driver sends, not AWS's behaviour.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsIamKeyIssuer } from "@/server/infra/object-storage/aws-iam-keys";
import { bucketOnlyPolicy, uploadsBlockedPolicy } from "@/server/infra/object-storage/bucket-keys";
import { startFakeIam } from "./helpers/fake-aws-iam";
import { isolatedDatabase } from "./helpers/isolated-database";

const platformKey = { accessKeyId: "AKIAPLATFORMEXAMPLE1", secretAccessKey: "platform/secret/key/with+chars" };
const iam = await startFakeIam(platformKey);
const issuer = createAwsIamKeyIssuer({ endpoint: iam.endpoint, credentials: platformKey });
await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { startWorker } = await import("@/jobs/start-worker");
const { closeInfrastructure, infra, setInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { createS3Client } = await import("@/server/infra/object-storage/client");
const { objectStorageSettings } = await import("@/server/infra/object-storage/settings");
const { createS3ObjectStorage } = await import("@/server/infra/object-storage/s3-buckets");
const { env } = await import("@/server/env");
const { ledgerFor } = await import("@/server/instances/ledger");
const { apiAs, makeUser } = await import("./helpers/accounts");
const services = await import("./helpers/data-services");
const { namesOf: allNamesOf, pay, registeredInstance, waitForStatus } = await import("./helpers/instances");
const namesOf = (instance: { resourceKey: string }) => allNamesOf(instance).objectStorage;

let worker: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  // Buckets on this file's local S3 server, keys from (the loopback) IAM: the AWS driver's key half.
  const settings = objectStorageSettings(env());
  setInfrastructure({
    ...infra(),
    objectStorage: createS3ObjectStorage({
      name: "s3 with IAM keys",
      client: async () => createS3Client(settings),
      settings: { endpoint: settings.endpoint, region: settings.region, forcePathStyle: settings.forcePathStyle },
      keys: createAwsIamKeyIssuer({ endpoint: iam.endpoint, credentials: platformKey }),
      blocksPublicAccess: false,
    }),
  });
  worker = await startWorker({ concurrency: 2, quiet: true });
});

afterAll(async () => {
  await worker?.stop();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
  await iam.close();
});

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

  it("blocks uploads past the storage quota with a second policy denying s3:PutObject, which ensurePrincipal keeps, and lifts it", async () => {
    const user = iam.users.get("lyc-0123456789ab")!;
    const start = iam.calls.length;
    await issuer.setUploadsBlocked("lyc-0123456789ab", "lyc-0123456789ab", true);
    expect(actions().slice(start)).toEqual(["PutUserPolicy"]);
    expect(iam.calls.at(-1)!.params).toMatchObject({ UserName: "lyc-0123456789ab", PolicyName: "lyceum-storage-quota" });
    const deny = JSON.parse(user.policies.get("lyceum-storage-quota")!);
    expect(deny).toEqual(uploadsBlockedPolicy("lyc-0123456789ab"));
    expect(deny.Statement).toEqual([{ Sid: "OverStorageQuota", Effect: "Deny", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::lyc-0123456789ab/*" }]);

    // Provisioning again (a redeploy) rewrites the bucket policy only: the block stays.
    await issuer.ensurePrincipal("lyc-0123456789ab", "lyc-0123456789ab");
    expect([...user.policies.keys()].sort()).toEqual(["lyceum-instance-bucket", "lyceum-storage-quota"]);

    await issuer.setUploadsBlocked("lyc-0123456789ab", "lyc-0123456789ab", false);
    expect(actions().at(-1)).toBe("DeleteUserPolicy");
    expect([...user.policies.keys()]).toEqual(["lyceum-instance-bucket"]);
    // Lifting what is not there is not an error (IAM answers NoSuchEntity).
    await issuer.setUploadsBlocked("lyc-0123456789ab", "lyc-0123456789ab", false);
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

describe("the object-storage steps with IAM keys", () => {
  it("give the instance an IAM user limited to its bucket and one key, delete a key no ledger knows, and remove all of it", async () => {
    const { instance } = await registeredInstance(undefined, "IAM Academy");
    const { bucket, iamUser } = namesOf(instance);
    // An earlier attempt died right after IAM made a key, before the ledger recorded it.
    await issuer.ensurePrincipal(iamUser, bucket);
    const orphan = await issuer.createKey(iamUser, bucket);
    const start = iam.calls.length;

    await pay(instance.id);
    await waitForStatus(instance.id, "running");
    const ledger = ledgerFor(db, instance.id);
    expect((await ledger.list("s3.principal")).map((entry) => entry.externalId)).toEqual([iamUser]);
    const [keyEntry, ...extra] = await ledger.list("s3.access_key");
    expect(extra).toEqual([]);
    const user = iam.users.get(iamUser)!;
    expect([...user.keys.keys()]).toEqual([keyEntry!.externalId]);
    expect(user.keys.has(orphan.accessKeyId)).toBe(false);
    expect(iam.calls.slice(start).map((call) => call.action)).toEqual([
      "CreateUser",
      "PutUserPolicy",
      "ListAccessKeys",
      "DeleteAccessKey",
      "CreateAccessKey",
    ]);
    expect(JSON.parse([...user.policies.values()][0]!)).toEqual(bucketOnlyPolicy(bucket));
    const events = await db.query.instanceEvents.findMany({ where: (t, { eq }) => eq(t.instanceId, instance.id) });
    expect(events.some((event) => event.message.includes(`Deleted access key ${orphan.accessKeyId}`))).toBe(true);

    const staff = await makeUser("staff");
    await apiAs(staff).staff.deprovision({ instanceId: instance.id, confirm: instance.subdomain, reason: "test teardown" });
    await waitForStatus(instance.id, "deprovisioned");
    expect(iam.users.has(iamUser)).toBe(false);
    expect(await services.bucketsStartingWith(bucket)).toEqual([]);
    const root = services.s3As();
    await expect(root.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({ name: "NoSuchBucket" });
    root.destroy();
  });
});
