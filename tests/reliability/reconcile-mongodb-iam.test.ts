// Reconcile reached MySQL, RabbitMQ, buckets, servers and DNS, but not MongoDB or the IAM users and keys that
// reach the buckets: a user or key made behind the ledger's back there stayed forever, unseen. Here both are
// compared too, against the loopback MongoDB and IAM doubles (no MongoDB or AWS is reachable from here).
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { startFakeIam } from "../helpers/fake-aws-iam";
import { startFakeMongod } from "../helpers/fake-mongod";
import { isolatedDatabase } from "../helpers/isolated-database";

await isolatedDatabase();
const mongod = await startFakeMongod({ user: "root", password: "root-password" });
const platformKey = { accessKeyId: "AKIAPLATFORMEXAMPLE1", secretAccessKey: "platform/secret/key/with+chars" };
const iam = await startFakeIam(platformKey);

const { db, closeDb } = await import("@/db");
const { env } = await import("@/server/env");
const { closeInfrastructure, infra } = await import("@/server/infra");
const { createMongoDriver } = await import("@/server/infra/mongodb/admin-connection");
const { createAwsIamKeyIssuer } = await import("@/server/infra/object-storage/aws-iam-keys");
const { ledgerFor } = await import("@/server/instances/ledger");
const { cleanUpOrphans } = await import("@/server/reconcile/cleanup");
const { reconcileResources } = await import("@/server/reconcile/run");
const { namesOf, registeredInstance } = await import("../helpers/instances");

const mongodb = createMongoDriver(mongod.url());
const keys = createAwsIamKeyIssuer({ endpoint: iam.endpoint, credentials: platformKey });

afterAll(async () => {
  await mongodb.close();
  await closeInfrastructure();
  await closeDb();
  await mongod.close();
  await iam.close();
});

const KINDS = ["mongodb.database", "mongodb.user", "s3.principal", "s3.access_key"];
const ofTheseKinds = <T extends { kind: string }>(items: T[]) => items.filter((item) => KINDS.includes(item.kind));

describe("reconcile with MongoDB and IAM bucket keys", () => {
  it("finds the MongoDB users and databases and the IAM users and keys no ledger owns, and its clean-up removes exactly those", async () => {
    const backends = { ...infra(), mongodb, objectStorage: { ...infra().objectStorage, keys } };
    const { instance } = await registeredInstance(undefined, "Reconciled Keys Academy");
    const own = namesOf(instance);
    const ledger = ledgerFor(db, instance.id);
    // The instance's own, recorded as its pipeline records them.
    await mongodb.ensureUser({ database: own.mongodb.database, user: own.mongodb.user, password: "own-password" });
    await ledger.record("mongodb.database", own.mongodb.database, { hosts: mongodb.hosts });
    await ledger.record("mongodb.user", own.mongodb.user, { database: own.mongodb.database, roles: [`readWrite@${own.mongodb.database}`], hosts: mongodb.hosts });
    await keys.ensurePrincipal(own.objectStorage.iamUser, own.objectStorage.bucket);
    await ledger.record("s3.principal", own.objectStorage.iamUser, { issuer: keys.name, bucket: own.objectStorage.bucket });
    const ownKey = await keys.createKey(own.objectStorage.iamUser, own.objectStorage.bucket);
    await ledger.record("s3.access_key", ownKey.accessKeyId, { issuer: keys.name, principal: own.objectStorage.iamUser, bucket: own.objectStorage.bucket });

    // Behind the ledger's back: what an attempt that died before recording (or a hand) leaves.
    const strayKey = randomBytes(6).toString("hex");
    const strayBase = `${process.env.LYCEUM_RESOURCE_PREFIX}_${strayKey}`;
    const strayPrincipal = `${process.env.LYCEUM_RESOURCE_PREFIX}-${strayKey}`;
    await mongodb.ensureUser({ database: strayBase, user: strayBase, password: "stray-password" });
    mongod.databases.add(strayBase);
    await keys.ensurePrincipal(strayPrincipal, strayPrincipal);
    const strayPrincipalKey = await keys.createKey(strayPrincipal, strayPrincipal);
    const unrecordedKey = await keys.createKey(own.objectStorage.iamUser, own.objectStorage.bucket);
    // Not the portal's: never listed, never touched.
    await mongodb.ensureUser({ database: "someone_else", user: "someone_else", password: "foreign-password" });

    const report = await reconcileResources(db, backends, env(), { trigger: "staff" });
    expect(ofTheseKinds(report.errors)).toEqual([]);
    expect(ofTheseKinds(report.orphans).map((orphan) => `${orphan.kind} ${orphan.externalId}`).sort()).toEqual(
      [
        `mongodb.database ${strayBase}`,
        `mongodb.user ${strayBase}`,
        `s3.access_key ${strayPrincipalKey.accessKeyId}`,
        `s3.access_key ${unrecordedKey.accessKeyId}`,
        `s3.principal ${strayPrincipal}`,
      ].sort(),
    );
    expect(ofTheseKinds(report.orphans).find((orphan) => orphan.externalId === unrecordedKey.accessKeyId)?.instanceId).toBe(instance.id);
    expect(ofTheseKinds(report.ghosts)).toEqual([]);

    const results = await cleanUpOrphans(db, backends, env(), report.id);
    expect(ofTheseKinds(results).filter((result) => result.outcome !== "removed" && result.detail !== "already gone")).toEqual([]);
    expect([...mongod.users.values()].map((user) => user.user).sort()).toEqual([own.mongodb.user, "root", "someone_else"].sort());
    expect(mongod.databases.has(strayBase)).toBe(false);
    expect([...iam.users.keys()]).toEqual([own.objectStorage.iamUser]);
    expect([...iam.users.get(own.objectStorage.iamUser)!.keys.keys()]).toEqual([ownKey.accessKeyId]);

    // And a ledger entry whose user is gone is a ghost.
    await mongodb.dropUser(own.mongodb.database, own.mongodb.user);
    const after = await reconcileResources(db, backends, env(), { trigger: "staff" });
    expect(ofTheseKinds(after.ghosts).map((ghost) => `${ghost.kind} ${ghost.externalId}`)).toEqual([`mongodb.user ${own.mongodb.user}`]);
  });
});
