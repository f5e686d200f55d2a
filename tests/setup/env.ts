// Per test file: configuration pointing at the test database, the run's local S3 server and a private state folder.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { inject } from "vitest";
import { throwawayPrefix } from "../../scripts/lib/sweep-resources";

process.env.DATABASE_URL = inject("databaseUrl");
process.env.AUTH_SECRET ??= "test-auth-secret-that-is-long-enough-0123456789";
process.env.LYCEUM_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64");
process.env.STRIPE_WEBHOOK_SECRET = "whsec_test_secret";
process.env.LYCEUM_STATE_DIR = mkdtempSync(path.join(os.tmpdir(), "lyceum-test-state-"));
process.env.STEP_TIMEOUT_SECONDS ??= "30";
process.env.LYCEUM_ENABLE_FAULT_INJECTION = "1";
// "Test connection" may reach the SMTP catchers on loopback (tests of the refusal say so explicitly).
process.env.LYCEUM_ALLOW_PRIVATE_SMTP = "1";
// Staff made by the tests have no second factor (tests/security/staff-two-factor.test.ts turns the requirement on).
process.env.LYCEUM_STAFF_WITHOUT_TWO_FACTOR ??= "1";
// Both, and local billing, are development shortcuts that start-up refuses under NODE_ENV=production unless named
// (server/unsafe-shortcuts.ts); vitest runs with NODE_ENV=test, but a run under production keeps working.
process.env.LYCEUM_UNSAFE_LOCAL_BILLING = "1";
process.env.LYCEUM_UNSAFE_FAULT_INJECTION = "1";
process.env.LYCEUM_UNSAFE_PRIVATE_SMTP = "1";
process.env.LYCEUM_UNSAFE_STAFF_WITHOUT_TWO_FACTOR = "1";
// Every test file names the resources it creates on the shared MariaDB, RabbitMQ and S3 server with a prefix of
// its own ("lt" + 4 random characters), so files running side by side never touch each other's, and
// tests/setup/sweep-resources.ts can remove whatever one file left behind.
process.env.LYCEUM_RESOURCE_PREFIX = throwawayPrefix("lt");

const objectStorage = inject("objectStorage");
process.env.S3_ENDPOINT = objectStorage.endpoint;
process.env.S3_REGION = objectStorage.region;
process.env.S3_ACCESS_KEY_ID = objectStorage.accessKeyId;
process.env.S3_SECRET_ACCESS_KEY = objectStorage.secretAccessKey;
process.env.S3_FORCE_PATH_STYLE = "true";
process.env.LYCEUM_ASSETS_BUCKET = objectStorage.assetsBucket;
process.env.LYCEUM_BACKUP_BUCKET = objectStorage.backupBucket;

// Only errors on the console; tests that read log lines set their own level and destination.
process.env.LYCEUM_LOG_LEVEL ??= "error";
