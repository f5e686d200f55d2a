// Provisioning against the real MariaDB and RabbitMQ on this machine: what each instance gets, what its
// application server is told, and that one instance's credentials open nothing of another's.
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import amqp from "amqplib";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { deployments, instanceResources } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { closeInfrastructure } = await import("@/server/infra");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { ledgerFor } = await import("@/server/instances/ledger");
const services = await import("./helpers/data-services");
const { apiAs, makeUser } = await import("./helpers/accounts");
const { namePrefixOf, runningInstance } = await import("./helpers/instances");

type Running = Awaited<ReturnType<typeof runningInstance>>;
let worker: Awaited<ReturnType<typeof startWorker>>;
let a: Running;
let b: Running;

beforeAll(async () => {
  worker = await startWorker({ concurrency: 2, quiet: true });
  [a, b] = await Promise.all([runningInstance("Alpha Academy"), runningInstance("Beta Institute")]);
});

afterAll(async () => {
  await worker?.stop();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});

async function passwordOf(instanceId: string, kind: "mysql.user" | "rabbitmq.user", externalId: string) {
  const ledger = ledgerFor(db, instanceId);
  return ledger.secretsOf((await ledger.find(kind, externalId))!)!.password;
}

/** The instance's bucket key, from the ledger. */
async function bucketKeyOf(instanceId: string) {
  const ledger = ledgerFor(db, instanceId);
  const [entry] = await ledger.list("s3.access_key");
  return { accessKeyId: entry!.externalId, secretAccessKey: ledger.secretsOf(entry!)!.secretAccessKey };
}

describe("MySQL for a provisioned instance", () => {
  it("has exactly the Open edX databases and one user per service, plus a migration and a read-only user", async () => {
    const found = await services.mysqlResourcesStartingWith(`${namePrefixOf(a.instance)}_`);
    expect(found.databases).toEqual(a.names.mysql.databases.map((d) => d.name).sort());
    expect(found.users).toEqual(a.names.mysql.users.map((u) => u.name).sort());
    expect(new Set(found.hosts)).toEqual(new Set(["%"]));
  });

  it("grants each service user its own databases only, the migration user all of them, the read-only user SELECT", async () => {
    for (const user of a.names.mysql.users) {
      const grants = await services.mysqlGrantsOf(user.name);
      expect(grants.map((g) => g.database).sort(), user.name).toEqual([...user.databases].sort());
      const expected = user.access === "read-only" ? "SELECT, SHOW VIEW" : "ALL PRIVILEGES";
      expect(new Set(grants.map((g) => g.privileges)), user.name).toEqual(new Set([expected]));
    }
    const edxapp = a.names.mysql.users.find((u) => u.role === "edxapp")!;
    expect(edxapp.databases).toHaveLength(2);
  });

  it("lets a service user work in its own database, and the read-only user read but not write", async () => {
    const edxapp = a.names.mysql.users.find((u) => u.role === "edxapp")!;
    const own = await services.connectAsMysqlUser(edxapp.name, await passwordOf(a.instance.id, "mysql.user", edxapp.name), edxapp.databases[0]);
    await own.query("CREATE TABLE courses (id INT PRIMARY KEY, title TEXT)");
    await own.query("INSERT INTO courses VALUES (1, 'Intro')");
    await own.end();

    const readonly = a.names.mysql.users.find((u) => u.role === "readonly")!;
    const reader = await services.connectAsMysqlUser(readonly.name, await passwordOf(a.instance.id, "mysql.user", readonly.name), edxapp.databases[0]);
    const [rows] = await reader.query("SELECT title FROM courses");
    expect(rows).toEqual([{ title: "Intro" }]);
    await expect(reader.query("INSERT INTO courses VALUES (2, 'Hack')")).rejects.toMatchObject({ code: "ER_TABLEACCESS_DENIED_ERROR" });
    await reader.end();

    const xqueue = a.names.mysql.users.find((u) => u.role === "xqueue")!;
    await expect(
      services.connectAsMysqlUser(xqueue.name, await passwordOf(a.instance.id, "mysql.user", xqueue.name), edxapp.databases[0]),
    ).rejects.toMatchObject({ code: "ER_DBACCESS_DENIED_ERROR" });
  });

  it("keeps every password sealed in the ledger, one per user", async () => {
    const rows = await db.select().from(instanceResources).where(eq(instanceResources.instanceId, a.instance.id));
    const users = rows.filter((row) => row.kind === "mysql.user");
    const passwords = await Promise.all(users.map((row) => passwordOf(a.instance.id, "mysql.user", row.externalId)));
    expect(new Set(passwords).size).toBe(users.length);
    for (const [i, row] of users.entries()) {
      expect(row.secrets).toMatch(/^v2:/);
      expect(row.secrets).not.toContain(passwords[i]);
      expect(JSON.stringify(row.details)).not.toContain(passwords[i]);
    }
  });
});

describe("RabbitMQ for a provisioned instance", () => {
  it("has a vhost and a user with no management tags and rights on that vhost alone", async () => {
    const prefix = namePrefixOf(a.instance);
    expect(await services.rabbitVhostsStartingWith(prefix)).toEqual([a.names.rabbitmq.vhost]);
    const users = await services.rabbitUsersStartingWith(prefix);
    expect(users.map((user) => user.name)).toEqual([a.names.rabbitmq.user]);
    expect([users[0]!.tags].flat().filter(Boolean)).toEqual([]);
    expect(await services.rabbitPermissionsOf(a.names.rabbitmq.user)).toEqual([
      expect.objectContaining({ vhost: a.names.rabbitmq.vhost, configure: ".*", write: ".*", read: ".*" }),
    ]);
  });

  it("lets the instance's user publish and consume on its own vhost", async () => {
    const { user, vhost } = a.names.rabbitmq;
    const connection = await amqp.connect(services.amqpUrlFor(user, await passwordOf(a.instance.id, "rabbitmq.user", user), vhost));
    const channel = await connection.createChannel();
    const queue = await channel.assertQueue("edx.lms.core.default", { durable: false, autoDelete: true });
    channel.sendToQueue(queue.queue, Buffer.from("grade-report"));
    const message = await new Promise<string>((resolve) => {
      void channel.consume(queue.queue, (msg) => msg && resolve(msg.content.toString()), { noAck: true });
    });
    expect(message).toBe("grade-report");
    await connection.close();
  });
});

describe("object storage for a provisioned instance", () => {
  it("is one private, versioned bucket with CORS for the instance's sites and a lifecycle for its tracking logs", async () => {
    const { bucket } = a.names.objectStorage;
    expect(await services.bucketsStartingWith(`${process.env.LYCEUM_RESOURCE_PREFIX}-${a.instance.resourceKey}`)).toEqual([bucket]);
    const root = services.s3As();
    expect((await root.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
    const cors = await root.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(cors.CORSRules).toHaveLength(1);
    expect(cors.CORSRules![0]!.AllowedOrigins).toEqual(
      ["", "studio-", "preview-", "apps-"].map((prefix) => `http://${prefix}${a.instance.subdomain}.localhost:*`),
    );
    const lifecycle = await root.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(lifecycle.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ID: "expire-tracking-logs", Status: "Enabled", Filter: { Prefix: "logs/tracking/" }, Expiration: expect.objectContaining({ Days: 90 }) }),
      ]),
    );
    const acl = await root.send(new GetBucketAclCommand({ Bucket: bucket }));
    expect(acl.Grants).toEqual([expect.objectContaining({ Permission: "FULL_CONTROL", Grantee: expect.objectContaining({ ID: acl.Owner!.ID }) })]);
    // Nobody reads it anonymously, and a browser on the instance's site may call it while others may not.
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: "logos/logo.svg", Body: "<svg/>" }));
    expect((await fetch(`${process.env.S3_ENDPOINT}/${bucket}/logos/logo.svg`)).status).toBe(403);
    const preflight = (origin: string) =>
      fetch(`${process.env.S3_ENDPOINT}/${bucket}/uploads/video.mp4`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "PUT" },
      });
    const fromStudio = await preflight(`http://studio-${a.instance.subdomain}.localhost:4321`);
    expect(fromStudio.status).toBe(200);
    expect(fromStudio.headers.get("access-control-allow-origin")).toBe(`http://studio-${a.instance.subdomain}.localhost:4321`);
    expect((await preflight(`http://${b.instance.subdomain}.localhost:4321`)).status).toBe(403);
    root.destroy();
  });

  it("has one access key, kept sealed in the ledger, that reads and writes the bucket but cannot reconfigure it", async () => {
    const key = await bucketKeyOf(a.instance.id);
    expect(await services.scopedKeysNamed(a.names.objectStorage.iamUser)).toEqual([expect.objectContaining({ accessKeyId: key.accessKeyId, buckets: [a.names.objectStorage.bucket] })]);
    const client = services.s3As(key);
    await client.send(new PutObjectCommand({ Bucket: a.names.objectStorage.bucket, Key: "logs/tracking/tracking.log", Body: "{}" }));
    const object = await client.send(new GetObjectCommand({ Bucket: a.names.objectStorage.bucket, Key: "logs/tracking/tracking.log" }));
    expect(await object.Body!.transformToString()).toBe("{}");
    await expect(
      client.send(new PutBucketCorsCommand({ Bucket: a.names.objectStorage.bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["GET"] }] } })),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(client.send(new CreateBucketCommand({ Bucket: `${a.names.objectStorage.bucket}-more` }))).rejects.toMatchObject({ name: "AccessDenied" });
    client.destroy();
    const row = (await ledgerFor(db, a.instance.id).find("s3.access_key"))!;
    expect(row.secrets).not.toContain(key.secretAccessKey);
  });
});

describe("the application server's configuration", () => {
  it("names each service's account and carries the passwords, which are sealed in the database", async () => {
    const deployment = (await db.query.deployments.findFirst({ where: eq(deployments.id, a.instance.activeDeploymentId!) }))!;
    const edxapp = a.names.mysql.users.find((u) => u.role === "edxapp")!;
    const password = await passwordOf(a.instance.id, "mysql.user", edxapp.name);
    expect(deployment.config).toMatchObject({
      services: {
        mysql: { users: { edxapp: { username: edxapp.name } }, databases: { edxapp: edxapp.databases[0] } },
        rabbitmq: { vhost: a.names.rabbitmq.vhost, username: a.names.rabbitmq.user },
        objectStorage: { bucket: a.names.objectStorage.bucket, endpoint: process.env.S3_ENDPOINT, forcePathStyle: true },
      },
    });
    const key = await bucketKeyOf(a.instance.id);
    expect(JSON.stringify(deployment.config)).not.toContain(key.secretAccessKey);
    expect(JSON.stringify(deployment.config)).not.toContain(password);
    expect(deployment.secrets).toMatch(/^v2:/);

    // What the server was booted with (its site.json, like a VM's config file) opens its own database.
    const siteJson = path.join(process.env.LYCEUM_STATE_DIR!, "compute", deployment.id, "site.json");
    const site = JSON.parse(await readFile(siteJson, "utf8"));
    const { username, password: given } = { ...site.services.mysql.users.edxapp };
    expect(given).toBe(password);
    const connection = await services.connectAsMysqlUser(username, given, site.services.mysql.databases.edxapp_csmh);
    await connection.end();
    const storage = site.services.objectStorage;
    const client = services.s3As({ accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey });
    await client.send(new ListObjectsV2Command({ Bucket: storage.bucket }));
    client.destroy();
  });
});

describe("what the API shows", () => {
  it("lists the resources by name to the owner and staff, never with a secret, and nothing to other clients", async () => {
    const allPasswords = await Promise.all(
      [...a.names.mysql.users.map((u) => ["mysql.user", u.name] as const), ["rabbitmq.user", a.names.rabbitmq.user] as const].map(([kind, name]) =>
        passwordOf(a.instance.id, kind, name),
      ),
    );
    const staff = await makeUser("staff");
    for (const viewer of [a.owner, staff]) {
      const page = await apiAs(viewer).instances.byId({ id: a.instance.id });
      const listed = await apiAs(viewer).instances.resources({ id: a.instance.id });
      expect(listed.map((r) => r.externalId)).toEqual(expect.arrayContaining([a.names.rabbitmq.vhost, ...a.names.mysql.databases.map((d) => d.name)]));
      for (const shown of [JSON.stringify(page), JSON.stringify(listed)]) {
        expect(shown).not.toContain('"secrets"');
        for (const password of allPasswords) expect(shown).not.toContain(password);
      }
    }
    await expect(apiAs(b.owner).instances.resources({ id: a.instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("isolation between two instances", () => {
  it("refuses every MySQL user of one instance on every database of the other", async () => {
    for (const [mine, theirs] of [[a, b], [b, a]] as const) {
      for (const user of mine.names.mysql.users) {
        const password = await passwordOf(mine.instance.id, "mysql.user", user.name);
        for (const database of theirs.names.mysql.databases) {
          await expect(services.connectAsMysqlUser(user.name, password, database.name), `${user.name} → ${database.name}`).rejects.toMatchObject({
            code: "ER_DBACCESS_DENIED_ERROR",
          });
        }
        // And the server does not even list them.
        const connection = await services.connectAsMysqlUser(user.name, password);
        const [rows] = await connection.query<import("mysql2").RowDataPacket[]>("SHOW DATABASES");
        const visible = rows.map((row) => String(row.Database));
        expect(visible.filter((name) => name.startsWith(namePrefixOf(theirs.instance)))).toEqual([]);
        await connection.end();
      }
    }
  });

  it("refuses each instance's bucket key on the other's bucket", async () => {
    for (const [mine, theirs] of [[a, b], [b, a]] as const) {
      const client = services.s3As(await bucketKeyOf(mine.instance.id));
      const bucket = theirs.names.objectStorage.bucket;
      await expect(client.send(new ListObjectsV2Command({ Bucket: bucket }))).rejects.toMatchObject({ name: "AccessDenied" });
      await expect(client.send(new PutObjectCommand({ Bucket: bucket, Key: "planted.txt", Body: "x" }))).rejects.toMatchObject({ name: "AccessDenied" });
      await expect(client.send(new GetObjectCommand({ Bucket: bucket, Key: "logos/logo.svg" }))).rejects.toMatchObject({ name: "AccessDenied" });
      client.destroy();
    }
  });

  it("refuses each instance's RabbitMQ user on the other's vhost", async () => {
    // The server accepts the credentials (a wrong password fails earlier, with 403 ACCESS_REFUSED at login) and
    // then answers connection.open for the foreign vhost with connection.close: "access to vhost refused".
    const vhostRefused = /Expected ConnectionOpenOk; got <ConnectionClose/;
    for (const [mine, theirs] of [[a, b], [b, a]] as const) {
      const password = await passwordOf(mine.instance.id, "rabbitmq.user", mine.names.rabbitmq.user);
      await expect(amqp.connect(services.amqpUrlFor(mine.names.rabbitmq.user, password, theirs.names.rabbitmq.vhost))).rejects.toThrow(vhostRefused);
      await expect(amqp.connect(services.amqpUrlFor(mine.names.rabbitmq.user, password, "/"))).rejects.toThrow(vhostRefused);
      await expect(amqp.connect(services.amqpUrlFor(mine.names.rabbitmq.user, "wrong password", mine.names.rabbitmq.vhost))).rejects.toThrow(
        /ACCESS.REFUSED/,
      );
    }
  });
});
