// Attack: take over one instance's VM and read its configuration. Before, the cloud-init user-data of every
// instance on "Lyceum relay" mail carried the platform relay's user name and password (LYCEUM_SMTP_URL): one VM
// leaked the whole platform's mail account. Here an instance is brought up the way provisioning does it (the
// pipeline's steps after the data services, up to the boot, against a loopback OVH API), the user-data OVH
// receives is read, and the credential found in it is used from a real SMTP client (nodemailer, as Django would)
// against the real instance mail relay on loopback, which forwards to a real SMTP server standing in for the
// platform relay (it demands the platform's own user name and password).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startFakeOvh } from "../helpers/fake-ovh";
import { startSmtpCatcher } from "../helpers/smtp-catcher";
import { OVH_SETTINGS } from "../helpers/configuration";

const PLATFORM_USER = "platform-relay-user";
const PLATFORM_PASSWORD = "platform-relay-Pa55word-9f3c";
const catcher = await startSmtpCatcher({ user: PLATFORM_USER, password: PLATFORM_PASSWORD });
const { freePort } = await import("@/server/net/free-port");
const relayPort = await freePort();
process.env.LYCEUM_SMTP_URL = catcher.url;
process.env.LYCEUM_MAIL_RELAY_LISTEN = `127.0.0.1:${relayPort}`;
process.env.LYCEUM_BASE_DOMAIN = "lyceum.localhost";

const { db, closeDb } = await import("@/db");
const { instances } = await import("@/db/schema");
const { deprovisionPipeline } = await import("@/jobs/pipelines/deprovision");
const { provisionPipeline } = await import("@/jobs/pipelines/provision");
const { env, parseEnv } = await import("@/server/env");
const { computeDriver } = await import("@/server/infra");
const { ledgerFor } = await import("@/server/instances/ledger");
const { OPENEDX_TRACKING_LOGS } = await import("@/server/instances/openedx-services");
const { stepContext } = await import("../helpers/step-context");
const { createInstance, makeVerifiedUser } = await import("../helpers/registration");
const { uniqueSuffix } = await import("../helpers/accounts");

type Instance = typeof instances.$inferSelect;
type TutorConfig = Record<string, string | number | boolean>;

const RECIPIENTS_PER_HOUR = 5;
const region = OVH_SETTINGS.OVH_REGION;
const fakeOvh = await startFakeOvh({
  credentials: { applicationKey: OVH_SETTINGS.OVH_APPLICATION_KEY, applicationSecret: OVH_SETTINGS.OVH_APPLICATION_SECRET, consumerKey: OVH_SETTINGS.OVH_CONSUMER_KEY },
  projectId: OVH_SETTINGS.OVH_PROJECT_ID,
  regions: [region],
  buildReads: 1,
  flavors: ["b3-8", "b3-16", "b3-32"].map((name) => ({ name, region })),
});
const previousCa = https.globalAgent.options.ca;
// The `ovh` package calls through Node's global HTTPS agent: trust the loopback API's certificate there.
https.globalAgent.options.ca = fakeOvh.certificate;
// Only the compute driver is built from it: the local S3 server's loopback endpoint, which a VM could not reach, is left out.
const ovh = computeDriver(parseEnv({ ...process.env, ...OVH_SETTINGS, S3_ENDPOINT: "", OVH_ENDPOINT: fakeOvh.endpoint }));

let relay: { close(): Promise<void> } | null = null;
/** The instance mail relay as `npm run mail-relay` runs it, on the port the configuration names. */
async function relayRunning() {
  if (relay) return;
  const { startMailRelay } = await import("@/server/mail/relay/server");
  const config = env();
  relay = await startMailRelay({
    db,
    host: "127.0.0.1",
    port: relayPort,
    platformSmtpUrl: config.LYCEUM_SMTP_URL,
    baseDomain: config.LYCEUM_BASE_DOMAIN,
    recipientsPerHour: RECIPIENTS_PER_HOUR,
  });
}

/** An instance on the platform's relay, taken through provisioning's steps from its config to its VM's boot. */
async function bootedOnPlatformRelay(name: string, senderAddress: string) {
  const owner = await makeVerifiedUser();
  const created = await createInstance(owner.id, { name, subdomain: `relay-${uniqueSuffix()}`, plan: "starter" });
  const [instance] = await db
    .update(instances)
    .set({ status: "provisioning", emailSettings: { relay: "platform", senderName: name, senderAddress } })
    .where(eq(instances.id, created.id))
    .returning();
  // What the data-service steps (MySQL, MongoDB, RabbitMQ, S3) leave in the ledger; their servers are not needed here.
  const ledger = ledgerFor(db, instance!.id);
  const key = instance!.resourceKey;
  await ledger.record("mysql.database", `lt_${key}_edxapp`, { service: "edxapp", suffix: "edxapp", server: "mysql.internal:3306" });
  await ledger.record("mysql.user", `lt_${key}_edxapp`, { role: "edxapp", databases: [`lt_${key}_edxapp`], access: "all", server: "mysql.internal:3306" }, { password: "mysql-pw" });
  await ledger.record("mongodb.user", `lt_${key}`, { database: `lt_${key}`, roles: [`readWrite@lt_${key}`], hosts: ["mongo.internal:27017"] }, { password: "mongo-pw" });
  await ledger.record("rabbitmq.vhost", `lt_${key}`, { amqpUrl: "amqp://rabbit.internal:5672" });
  await ledger.record("rabbitmq.user", `lt_${key}`, { vhost: `lt_${key}`, permissions: "configure, write, read on its vhost only" }, { password: "rabbit-pw" });
  await ledger.record("s3.bucket", `lt-${key}`, { driver: "aws", region: "eu-west-3", corsOrigins: [], versioning: "Enabled", trackingLogs: OPENEDX_TRACKING_LOGS });
  await ledger.record("s3.access_key", `AKIA${key.toUpperCase()}`, { issuer: "aws", principal: `lt-${key}`, bucket: `lt-${key}` }, { secretAccessKey: "s3-secret" });

  const names = provisionPipeline.steps.map((step) => step.name);
  const steps = provisionPipeline.steps.slice(names.indexOf("object_storage") + 1, names.indexOf("boot_server") + 1);
  const ctx = await stepContext(instance!, { compute: ovh, objectStorage: { settings: { endpoint: null, forcePathStyle: false } } as never });
  for (const step of steps) await step.run(ctx);

  const vms = [...fakeOvh.instances.values()];
  const deployment = await db.query.deployments.findFirst({ where: (d, { eq: is }) => is(d.operationId, ctx.operation.id) });
  const vm = vms.find((candidate) => candidate.id === deployment?.serverId)!;
  const cloudConfig = parse(vm.userData) as { write_files: { path: string; content: string }[] };
  const tutor = parse(cloudConfig.write_files.find((file) => file.path.endsWith("/tutor/config.yml"))!.content) as TutorConfig;
  return { instance: instance! as Instance, userData: vm.userData, tutor, ctx };
}

/** The SMTP client Open edX's Django would be: the host, port, user and password its config.yml holds. */
function vmMailer(tutor: TutorConfig, password = String(tutor.SMTP_PASSWORD), username = String(tutor.SMTP_USERNAME)) {
  return nodemailer.createTransport({
    host: String(tutor.SMTP_HOST),
    port: Number(tutor.SMTP_PORT),
    secure: false,
    ignoreTLS: !tutor.SMTP_USE_TLS,
    requireTLS: Boolean(tutor.SMTP_USE_TLS),
    auth: { user: username, pass: password },
  });
}

let a: Awaited<ReturnType<typeof bootedOnPlatformRelay>>;
let b: Awaited<ReturnType<typeof bootedOnPlatformRelay>>;

beforeAll(async () => {
  a = await bootedOnPlatformRelay("Alpha Academy", "courses@alpha.example");
  b = await bootedOnPlatformRelay("Beta Academy", "courses@beta.example");
});

afterAll(async () => {
  await relay?.close();
  https.globalAgent.options.ca = previousCa;
  await fakeOvh.close();
  await catcher.close();
  await closeDb();
});

describe("reading the platform's mail secret off a compromised VM", () => {
  it("finds neither the platform relay's user name nor its password in the user-data OVH received", () => {
    expect(a.userData).not.toContain(PLATFORM_PASSWORD);
    expect(a.userData).not.toContain(PLATFORM_USER);
    expect(b.userData).not.toContain(PLATFORM_PASSWORD);
    // What the VM holds instead: the instance mail relay, and a credential of its own that no other instance shares.
    expect(a.tutor).toMatchObject({ SMTP_HOST: "127.0.0.1", SMTP_PORT: relayPort, SMTP_USE_TLS: false, SMTP_USE_SSL: false });
    expect(a.tutor.SMTP_USERNAME).not.toBe(b.tutor.SMTP_USERNAME);
    expect(a.tutor.SMTP_PASSWORD).not.toBe(b.tutor.SMTP_PASSWORD);
    expect(String(a.tutor.SMTP_PASSWORD).length).toBeGreaterThanOrEqual(32);
  });

  it("keeps one token per instance across a retried or repeated step, sealed where owners cannot read it", async () => {
    const ensure = provisionPipeline.steps.find((step) => step.name === "mail_relay")!;
    await ensure.run(a.ctx);
    const entry = await a.ctx.ledger.find("mail.relay_credential", String(a.tutor.SMTP_USERNAME));
    expect(a.ctx.ledger.secretsOf(entry!)?.password).toBe(a.tutor.SMTP_PASSWORD);
    expect(JSON.stringify(entry!.details)).not.toContain(String(a.tutor.SMTP_PASSWORD));
    expect(entry!.secrets).not.toContain(String(a.tutor.SMTP_PASSWORD));
  });

  it("lets instance A's credential send mail as A, which reaches the platform relay", async () => {
    await relayRunning();
    await vmMailer(a.tutor).sendMail({
      from: "Alpha Academy <courses@alpha.example>",
      to: "learner@example.org",
      subject: "Welcome to Alpha",
      text: "Your course starts Monday.",
    });
    const mail = await catcher.waitFor("learner@example.org", /Welcome to Alpha/);
    expect(mail.from).toContain("courses@alpha.example");
    expect(mail.text.trim()).toBe("Your course starts Monday.");
    // Open edX also sends bulk email as no-reply@<its LMS host>: an address at its own hostnames passes too.
    const lms = String(a.tutor.LMS_HOST);
    await vmMailer(a.tutor).sendMail({ from: `no-reply@${lms}`, to: "learner@example.org", subject: "Alpha bulk", text: "News." });
    await catcher.waitFor("learner@example.org", /Alpha bulk/);
  });

  it("refuses A's credential sending as B's sender, in the envelope or only in the From header", async () => {
    await relayRunning();
    const before = catcher.received.length;
    await expect(
      vmMailer(a.tutor).sendMail({ from: "courses@beta.example", to: "victim@example.org", subject: "Phish as Beta", text: "x" }),
    ).rejects.toThrow(/553.*may not send as <courses@beta\.example>/);
    await expect(
      vmMailer(a.tutor).sendMail({
        envelope: { from: "courses@alpha.example", to: ["victim@example.org"] },
        from: "Beta Academy <courses@beta.example>",
        to: "victim@example.org",
        subject: "Phish as Beta in the header",
        text: "x",
      }),
    ).rejects.toThrow(/550.*From header <courses@beta\.example>/);
    await expect(
      vmMailer(a.tutor).sendMail({ from: "ceo@bank.example", to: "victim@example.org", subject: "Phish as a bank", text: "x" }),
    ).rejects.toThrow(/553/);
    expect(catcher.received.length).toBe(before);
  });

  it("refuses a wrong password, and A's password under B's user name, at AUTH, and mail without AUTH", async () => {
    await relayRunning();
    await expect(vmMailer(a.tutor, "not-the-token").verify()).rejects.toMatchObject({ code: "EAUTH", responseCode: 535 });
    await expect(vmMailer(a.tutor, String(a.tutor.SMTP_PASSWORD), String(b.tutor.SMTP_USERNAME)).verify()).rejects.toMatchObject({ code: "EAUTH", responseCode: 535 });
    await expect(vmMailer(a.tutor, String(a.tutor.SMTP_PASSWORD), "no-such-instance").verify()).rejects.toMatchObject({ code: "EAUTH" });
    // Nor does anything go through without signing in.
    const anonymous = nodemailer.createTransport({ host: "127.0.0.1", port: relayPort, secure: false, ignoreTLS: true });
    await expect(anonymous.sendMail({ from: "courses@alpha.example", to: "victim@example.org", subject: "Unsigned", text: "x" })).rejects.toThrow(/530/);
  });

  it("stops an instance at its hourly recipient limit without slowing another one", async () => {
    await relayRunning();
    const recipients = Array.from({ length: RECIPIENTS_PER_HOUR }, (_, i) => `bulk${i}@example.org`);
    await vmMailer(b.tutor).sendMail({ from: "courses@beta.example", to: recipients, subject: "Beta to many", text: "x" });
    await catcher.waitFor("bulk0@example.org", /Beta to many/);
    await expect(
      vmMailer(b.tutor).sendMail({ from: "courses@beta.example", to: "one-more@example.org", subject: "Beta over the limit", text: "x" }),
    ).rejects.toThrow(/450.*limit of 5 recipients an hour/);
    await vmMailer(a.tutor).sendMail({ from: "courses@alpha.example", to: "still@example.org", subject: "Alpha still sends", text: "x" });
    await catcher.waitFor("still@example.org", /Alpha still sends/);
  });

  it("refuses A's credential at AUTH once A is deprovisioned, while B's still works", async () => {
    await relayRunning();
    // Deprovisioning walks the ledger; this is its step for the relay credential.
    const revoke = deprovisionPipeline.steps.find((step) => step.name === "remove_mail_relay")!;
    expect(await revoke.run(a.ctx)).toContain(String(a.tutor.SMTP_USERNAME));
    await expect(vmMailer(a.tutor).verify()).rejects.toMatchObject({ code: "EAUTH", responseCode: 535 });
    await expect(vmMailer(b.tutor).verify()).resolves.toBe(true);
  });
});

/** A self-signed certificate for 127.0.0.1, as a development relay would use (production: one a CA signed). */
function loopbackCertificate() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "relay-tls-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    return { cert: readFileSync(path.join(dir, "cert.pem"), "utf8"), key: readFileSync(path.join(dir, "key.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("listening to a VM's relay password on the network", () => {
  it("refuses AUTH before STARTTLS when the relay has a certificate, and accepts it over TLS", async () => {
    const { startMailRelay } = await import("@/server/mail/relay/server");
    const tls = loopbackCertificate();
    const secured = await startMailRelay({ db, host: "127.0.0.1", port: 0, platformSmtpUrl: env().LYCEUM_SMTP_URL, baseDomain: env().LYCEUM_BASE_DOMAIN, recipientsPerHour: 5, tls });
    try {
      const auth = { user: String(b.tutor.SMTP_USERNAME), pass: String(b.tutor.SMTP_PASSWORD) };
      const inClear = nodemailer.createTransport({ host: "127.0.0.1", port: secured.port, secure: false, ignoreTLS: true, auth });
      await expect(inClear.verify()).rejects.toThrow(/STARTTLS/);
      const overTls = nodemailer.createTransport({ host: "127.0.0.1", port: secured.port, secure: false, requireTLS: true, tls: { ca: tls.cert }, auth });
      await expect(overTls.verify()).resolves.toBe(true);
    } finally {
      await secured.close();
    }
  });
});
