// Plan limits against the real services: the instance's bucket on this file's local S3 server, filled by the
// instance's own key until the quota warns (80 %, 100 %, once each) and blocks uploads (past 110 %, the key then
// refused PutObject for real, reads and deletes still allowed), and its LMS database on MariaDB with Open edX's own
// `auth_user` and `course_overviews_courseoverview` tables, counted against the plan with one email when over.
import { DeleteObjectCommand, GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { instanceEvents, instances } = await import("@/db/schema");
const { env } = await import("@/server/env");
const { closeInfrastructure, infra } = await import("@/server/infra");
const { ledgerFor } = await import("@/server/instances/ledger");
const { measureAllInstances, measureInstanceUsage } = await import("@/server/usage/measure");
const { registerWebGauges } = await import("@/server/observability/web-gauges");
const { metrics } = await import("@/server/observability/metrics");
const { apiAs, makeUser, uniqueSuffix } = await import("./helpers/accounts");
const { createInstance } = await import("./helpers/registration");
const { namesOf } = await import("./helpers/instances");
const { s3As, withMysqlAdmin } = await import("./helpers/data-services");
const { queuedEmailsTo } = await import("./helpers/queued-emails");

// Open edX's tables as its migrations create them (Django's auth_user; the course overview's columns that carry
// NOT NULL without a default, and the ones the LMS reads most), in the LMS database the ledger names.
const AUTH_USER = `CREATE TABLE auth_user (
  id int(11) NOT NULL AUTO_INCREMENT,
  password varchar(128) NOT NULL,
  last_login datetime(6) DEFAULT NULL,
  is_superuser tinyint(1) NOT NULL,
  username varchar(150) NOT NULL,
  first_name varchar(150) NOT NULL,
  last_name varchar(150) NOT NULL,
  email varchar(254) NOT NULL,
  is_staff tinyint(1) NOT NULL,
  is_active tinyint(1) NOT NULL,
  date_joined datetime(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

const COURSE_OVERVIEW = `CREATE TABLE course_overviews_courseoverview (
  created datetime(6) NOT NULL,
  modified datetime(6) NOT NULL,
  version int(11) NOT NULL,
  id varchar(255) NOT NULL,
  _location varchar(255) NOT NULL,
  display_name longtext DEFAULT NULL,
  display_number_with_default longtext NOT NULL,
  display_org_with_default longtext NOT NULL,
  start datetime(6) DEFAULT NULL,
  end datetime(6) DEFAULT NULL,
  advertised_start longtext DEFAULT NULL,
  course_image_url longtext NOT NULL,
  social_sharing_url longtext DEFAULT NULL,
  end_of_course_survey_url longtext DEFAULT NULL,
  certificates_display_behavior longtext DEFAULT NULL,
  certificates_show_before_end tinyint(1) NOT NULL,
  cert_html_view_enabled tinyint(1) NOT NULL,
  has_any_active_web_certificate tinyint(1) NOT NULL,
  cert_name_short longtext NOT NULL,
  cert_name_long longtext NOT NULL,
  lowest_passing_grade decimal(5,2) DEFAULT NULL,
  days_early_for_beta double DEFAULT NULL,
  mobile_available tinyint(1) NOT NULL,
  visible_to_staff_only tinyint(1) NOT NULL,
  _pre_requisite_courses_json longtext NOT NULL,
  enrollment_start datetime(6) DEFAULT NULL,
  enrollment_end datetime(6) DEFAULT NULL,
  enrollment_domain longtext DEFAULT NULL,
  invitation_only tinyint(1) NOT NULL,
  max_student_enrollments_allowed int(11) DEFAULT NULL,
  announcement datetime(6) DEFAULT NULL,
  catalog_visibility longtext DEFAULT NULL,
  course_video_url longtext DEFAULT NULL,
  effort longtext DEFAULT NULL,
  short_description longtext DEFAULT NULL,
  org longtext NOT NULL,
  self_paced tinyint(1) NOT NULL,
  marketing_url longtext DEFAULT NULL,
  eligible_for_financial_aid tinyint(1) NOT NULL,
  language longtext DEFAULT NULL,
  certificate_available_date datetime(6) DEFAULT NULL,
  end_date datetime(6) DEFAULT NULL,
  start_date datetime(6) DEFAULT NULL,
  banner_image_url longtext NOT NULL,
  has_highlights tinyint(1) DEFAULT NULL,
  allow_proctoring_opt_out tinyint(1) NOT NULL,
  enable_proctored_exams tinyint(1) NOT NULL,
  proctoring_escalation_email longtext DEFAULT NULL,
  proctoring_provider longtext DEFAULT NULL,
  entrance_exam_enabled tinyint(1) NOT NULL,
  entrance_exam_id varchar(255) NOT NULL,
  entrance_exam_minimum_score_pct double NOT NULL,
  external_id varchar(128) DEFAULT NULL,
  force_on_flexible_peak_pace tinyint(1) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

async function addLearner(database: string, username: string, flags: { isStaff?: boolean; isSuperuser?: boolean; isActive?: boolean } = {}) {
  await withMysqlAdmin((connection) =>
    connection.query(
      `INSERT INTO ??.auth_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
       VALUES ('!', ?, ?, '', '', ?, ?, ?, NOW(6))`,
      [database, flags.isSuperuser ? 1 : 0, username, `${username}@example.org`, flags.isStaff ? 1 : 0, flags.isActive === false ? 0 : 1],
    ),
  );
}

async function addCourse(database: string, courseId: string) {
  await withMysqlAdmin((connection) =>
    connection.query(
      `INSERT INTO ??.course_overviews_courseoverview (created, modified, version, id, _location, display_name, display_number_with_default,
         display_org_with_default, course_image_url, certificates_show_before_end, cert_html_view_enabled, has_any_active_web_certificate,
         cert_name_short, cert_name_long, mobile_available, visible_to_staff_only, _pre_requisite_courses_json, invitation_only, org, self_paced,
         eligible_for_financial_aid, banner_image_url, allow_proctoring_opt_out, enable_proctored_exams, entrance_exam_enabled, entrance_exam_id,
         entrance_exam_minimum_score_pct, force_on_flexible_peak_pace)
       VALUES (NOW(6), NOW(6), 18, ?, ?, 'A course', '101', 'Lyceum', '/asset', 0, 1, 0, '', '', 0, 0, '[]', 0, 'Lyceum', 0, 1, '/banner', 0, 0, 0, '', 0.65, 0)`,
      [database, courseId, `block-v1:${courseId.slice("course-v1:".length)}+type@course+block@course`],
    ),
  );
}

/** A running instance whose bucket, key and LMS database exist, made by the drivers and recorded in its ledger. */
async function instanceWithStorageAndDatabase() {
  const owner = await makeUser();
  const created = await createInstance(owner.id, { name: "Quota School", subdomain: `quota-${uniqueSuffix()}`, plan: "starter" });
  const [instance] = await db.update(instances).set({ status: "running" }).where(eq(instances.id, created.id)).returning();
  const names = namesOf(instance!);
  const { bucket, iamUser: principal } = names.objectStorage;
  const storage = infra().objectStorage;
  const ledger = ledgerFor(db, instance!.id);
  const trackingLogs = { prefix: "logs/tracking/", expireAfterDays: 90 };
  const corsOrigins = [`https://${created.subdomain}.example.org`];
  await storage.ensureBucket({ bucket, corsOrigins, trackingLogs });
  await ledger.record("s3.bucket", bucket, { driver: storage.name, region: storage.settings.region, corsOrigins, versioning: "Enabled", trackingLogs });
  const key = await storage.keys.createKey(principal, bucket);
  await ledger.record("s3.access_key", key.accessKeyId, { issuer: storage.keys.name, principal, bucket }, { secretAccessKey: key.secretAccessKey });
  const lms = names.mysql.databases.find((database) => database.suffix === "edxapp")!;
  await infra().mysql.ensureDatabase(lms.name);
  await ledger.record("mysql.database", lms.name, { service: lms.service, suffix: lms.suffix, server: "127.0.0.1:3306" });
  return { owner, instance: instance!, bucket, key, lmsDatabase: lms.name };
}

const KB = 1000;
// The starter plan's learners and courses, and a quota of one megabyte so a few uploads cross its thresholds.
const LIMITS = { learners: 3, courses: 2, storageGb: 0.001 };

describe("plan limits, measured daily", () => {
  let subject: Awaited<ReturnType<typeof instanceWithStorageAndDatabase>>;
  let instanceS3: ReturnType<typeof s3As>;
  const staffAddress = () => env().staffAlertEmails[0]!;

  beforeAll(async () => {
    subject = await instanceWithStorageAndDatabase();
    instanceS3 = s3As(subject.key);
  });

  afterAll(async () => {
    instanceS3?.destroy();
    if (subject) await infra().objectStorage.deleteBucket(subject.bucket);
    await closeInfrastructure();
    await closeDb();
  });

  const upload = (key: string, bytes: number) =>
    instanceS3.send(new PutObjectCommand({ Bucket: subject.bucket, Key: key, Body: Buffer.alloc(bytes, 1) }));
  const measure = () => measureInstanceUsage(db, subject.instance, infra(), { now: new Date(), limits: LIMITS });
  const purposesTo = async (address: string) => (await queuedEmailsTo(address)).map((email) => email.purpose);
  const usageEvents = async () =>
    (await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, subject.instance.id))).filter((event) => event.step === "usage");

  it("counts the bucket's bytes and says the learners are not counted before Open edX made its tables", async () => {
    await upload("courses/a.bin", 700 * KB);
    const usage = await measure();
    expect(usage).toMatchObject({ storageBytes: 700 * KB, learners: null, courses: null, storageWarnedPercent: 0, uploadsBlocked: false, notices: [] });
    expect((await usageEvents()).at(-1)!.message).toMatch(/^Usage measured: storage 0\.00 GB of 0\.001 GB \(70 %\), learners not counted yet/);
  });

  it("warns the owner and staff once at 80 % and once at 100 %, not again on the next days", async () => {
    await upload("courses/b.bin", 150 * KB);
    expect((await measure()).notices).toEqual(["storage-warning-80"]);
    expect((await measure()).notices).toEqual([]);
    await upload("courses/c.bin", 200 * KB);
    expect((await measure()).notices).toEqual(["storage-warning-100"]);
    expect((await measure()).notices).toEqual([]);
    expect(await purposesTo(subject.owner.email)).toEqual(["storage-warning-80", "storage-warning-100"]);
    expect(await purposesTo(staffAddress())).toEqual(expect.arrayContaining(["staff-storage-warning-80", "staff-storage-warning-100"]));
    const [warning] = (await queuedEmailsTo(subject.owner.email)).slice(-1);
    expect(warning!.text).toMatch(/take 0\.00 GB of 0\.001 GB \(105 %\)/);
    expect((await usageEvents()).filter((event) => event.level === "warn").map((event) => event.message)).toEqual([
      expect.stringMatching(/^Storage at 80 % of the plan/),
      expect.stringMatching(/^Storage at 100 % of the plan/),
    ]);
  });

  it("blocks the instance key's uploads past 110 %, leaves reads and deletes, and allows uploads again once under", async () => {
    await upload("courses/d.bin", 100 * KB); // 1150 KB: 115 %
    expect((await measure()).notices).toEqual(["storage-uploads-blocked"]);
    const refused = await upload("courses/e.bin", 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(S3ServiceException);
    expect((refused as S3ServiceException).name).toBe("AccessDenied");
    const read = await instanceS3.send(new GetObjectCommand({ Bucket: subject.bucket, Key: "courses/a.bin" }));
    expect((await read.Body!.transformToByteArray()).length).toBe(700 * KB);
    expect(await purposesTo(subject.owner.email)).toContain("storage-uploads-blocked");
    expect((await apiAs(subject.owner).instances.usage({ id: subject.instance.id })).usage).toMatchObject({ uploadsBlocked: true, storageWarnedPercent: 100 });

    // The next day's measurement keeps the block and says nothing new.
    expect((await measure()).notices).toEqual([]);
    expect((await upload("courses/e.bin", 1).catch((error: unknown) => error)) as Error).toBeInstanceOf(S3ServiceException);

    // The school deletes files (every version: the bucket is versioned, so a delete marker alone frees nothing).
    const { Versions = [] } = await instanceS3.send(new ListObjectVersionsCommand({ Bucket: subject.bucket, Prefix: "courses/a.bin" }));
    for (const version of Versions) await instanceS3.send(new DeleteObjectCommand({ Bucket: subject.bucket, Key: version.Key!, VersionId: version.VersionId! }));
    expect((await measure()).notices).toEqual(["storage-uploads-allowed"]);
    await upload("courses/e.bin", 1);
    expect((await apiAs(subject.owner).instances.usage({ id: subject.instance.id })).usage).toMatchObject({ storageBytes: 450 * KB, uploadsBlocked: false, storageWarnedPercent: 0 });
  });

  it("counts active learners without staff, and courses, from Open edX's tables, and emails once when over the plan", async () => {
    await withMysqlAdmin(async (connection) => {
      await connection.query(`USE ??`, [subject.lmsDatabase]);
      await connection.query(AUTH_USER);
      await connection.query(COURSE_OVERVIEW);
    });
    for (const name of ["ada", "brook", "cyd"]) await addLearner(subject.lmsDatabase, name);
    await addLearner(subject.lmsDatabase, "staffer", { isStaff: true });
    await addLearner(subject.lmsDatabase, "admin", { isStaff: true, isSuperuser: true });
    await addLearner(subject.lmsDatabase, "left", { isActive: false });
    await addCourse(subject.lmsDatabase, "course-v1:Lyceum+101+2026");
    expect(await measure()).toMatchObject({ learners: 3, courses: 1, learnersOverLimit: false, coursesOverLimit: false, notices: [] });

    await addLearner(subject.lmsDatabase, "dee");
    await addCourse(subject.lmsDatabase, "course-v1:Lyceum+102+2026");
    await addCourse(subject.lmsDatabase, "course-v1:Lyceum+103+2026");
    expect(await measure()).toMatchObject({ learners: 4, courses: 3, learnersOverLimit: true, coursesOverLimit: true, notices: ["learners-over-limit", "courses-over-limit"] });
    expect((await measure()).notices).toEqual([]);
    const emails = (await queuedEmailsTo(subject.owner.email)).filter((email) => email.purpose.endsWith("over-limit"));
    expect(emails.map((email) => email.text.split("\n")[0])).toEqual([
      "The instance has 4 learners; its plan (starter) includes 3.",
      "The instance has 3 courses; its plan (starter) includes 2.",
    ]);
    expect(await purposesTo(staffAddress())).toEqual(expect.arrayContaining(["staff-learners-over-limit", "staff-courses-over-limit"]));
    const shown = await apiAs(subject.owner).instances.usage({ id: subject.instance.id });
    expect(shown).toMatchObject({ limits: { learners: 500, courses: 10, storageGb: 20 }, usage: { learners: 4, courses: 3 } });
  });

  it("the daily sweep measures every running instance against its own plan", async () => {
    const { measured, failed } = await measureAllInstances(db, infra(), new Date());
    expect(failed).toEqual([]);
    expect(measured).toBeGreaterThanOrEqual(1);
    // The starter plan's own limits now: 4 of 500 learners, nothing over any more (and nothing announced for that).
    expect((await apiAs(subject.owner).instances.usage({ id: subject.instance.id })).usage).toMatchObject({ learnersOverLimit: false, coursesOverLimit: false });

    // Prometheus sees the same measurement as fractions of the plan.
    registerWebGauges();
    const exported = await metrics().registry.getSingleMetricAsString("lyceum_instance_usage_ratio");
    const labels = `instance_id="${subject.instance.id}",subdomain="${subject.instance.subdomain}"`;
    expect(exported).toContain(`lyceum_instance_usage_ratio{${labels},limit="learners"} ${4 / 500}`);
    expect(exported).toContain(`lyceum_instance_usage_ratio{${labels},limit="courses"} ${3 / 10}`);
    expect(exported).toContain(`lyceum_instance_usage_ratio{${labels},limit="storage"} ${(450 * KB + 1) / (20 * 1e9)}`);
  });
});
