// The layers eslint.config.mjs enforces: a deliberate violation in each zone is reported by the real ESLint
// with the project's own configuration, what each zone allows still passes, and the product tree has none.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ZONE_RULE = "@typescript-eslint/no-restricted-imports";
// Only the zone rule runs: the other rules are `npm run lint`'s business, and skipping them keeps this quick.
const eslint = new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => ruleId === ZONE_RULE });

async function zoneViolations(source: string, filePath: string) {
  const [result] = await eslint.lintText(source, { filePath: path.join(ROOT, filePath) });
  expect(result!.messages.filter((message) => message.fatal)).toEqual([]);
  return result!.messages.filter((message) => message.ruleId === ZONE_RULE).map((message) => message.message);
}

describe("import zones", () => {
  it.each([
    { zone: "app/ may not reach the database", filePath: "app/(portal)/example/page.tsx", source: 'import { db } from "@/db";\nexport const rows = db;\n', refused: "'@/db'" },
    { zone: "app/ may not import schema values", filePath: "app/_components/example.tsx", source: 'import { instanceStatus } from "@/db/schema";\nexport const statuses = instanceStatus.enumValues;\n', refused: "'@/db/schema'" },
    { zone: "app/ may not call a driver", filePath: "app/api/example/route.ts", source: 'import { infra } from "@/server/infra";\nexport const drivers = infra;\n', refused: "'@/server/infra'" },
    { zone: "server/ may not import jobs/", filePath: "server/staff/example.ts", source: 'import { releaseStaleLocks } from "@/jobs/crash-recovery";\nexport const release = releaseStaleLocks;\n', refused: "'@/jobs/crash-recovery'" },
    { zone: "server/ may not import app/", filePath: "server/instances/example.ts", source: 'export { Field } from "@/app/_components/field";\n', refused: "'@/app/_components/field'" },
    { zone: "a driver may not import instances", filePath: "server/infra/dns/example.ts", source: 'import { platformHostnames } from "@/server/instances/hostnames";\nexport const names = platformHostnames;\n', refused: "'@/server/instances/hostnames'" },
    { zone: "a driver may not import billing", filePath: "server/infra/compute/example.ts", source: 'import type { Plan } from "@/server/billing/plans";\nexport type Flavor = Plan["vmFlavor"];\n', refused: "'@/server/billing/plans'" },
    { zone: "a driver may not import the API layer", filePath: "server/infra/mysql/example.ts", source: 'import { createTRPCRouter } from "@/server/api/trpc";\nexport const router = createTRPCRouter;\n', refused: "'@/server/api/trpc'" },
    { zone: "a driver may still not import jobs/", filePath: "server/infra/mysql/example.ts", source: 'import { startWorker } from "@/jobs/start-worker";\nexport const start = startWorker;\n', refused: "'@/jobs/start-worker'" },
    { zone: "server/ may not import tools/", filePath: "server/infra/object-storage/example.ts", source: 'import { startLocalS3Server } from "@/tools/local-s3";\nexport const start = startLocalS3Server;\n', refused: "'@/tools/local-s3'" },
    { zone: "jobs/ may not import tools/", filePath: "jobs/steps/example.ts", source: 'import { startLocalS3Server } from "../../tools/local-s3";\nexport const start = startLocalS3Server;\n', refused: "'../../tools/local-s3'" },
    { zone: "scripts/ may not import tools/", filePath: "scripts/lib/example.ts", source: 'import { startLocalS3Server } from "@/tools/local-s3/index";\nexport const start = startLocalS3Server;\n', refused: "'@/tools/local-s3/index'" },
    { zone: "db/ may not import tools/", filePath: "db/example.ts", source: 'import type { Credentials } from "@/tools/local-s3";\nexport type Keys = Credentials;\n', refused: "'@/tools/local-s3'" },
  ])("reports a deliberate violation: $zone", async ({ filePath, source, refused }) => {
    const violations = await zoneViolations(source, filePath);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toContain(refused);
  });

  it.each([
    { what: "a page imports the schema's types", filePath: "app/(portal)/example/page.tsx", source: 'import type { InstanceStatus } from "@/db/schema";\nexport type Status = InstanceStatus;\n' },
    { what: "a page reads through a server module", filePath: "app/(portal)/example/page.tsx", source: 'import { instanceById } from "@/server/instances/queries";\nexport const read = instanceById;\n' },
    { what: "domain code calls a driver", filePath: "server/instances/example.ts", source: 'import { infra } from "@/server/infra";\nexport const drivers = infra;\n' },
    { what: "the composition root hands a domain function to a driver", filePath: "server/infra/index.ts", source: 'import { routedHostnames } from "@/server/instances/hostnames";\nexport const names = routedHostnames;\n' },
    { what: "a tool imports the product's protocol", filePath: "tools/local-s3/example.ts", source: 'import { signRequest } from "@/server/infra/object-storage/sigv4";\nexport const sign = signRequest;\n' },
    { what: "a test starts an emulator", filePath: "tests/example.test.ts", source: 'import { startLocalS3Server } from "@/tools/local-s3";\nexport const start = startLocalS3Server;\n' },
  ])("allows what the layers allow: $what", async ({ filePath, source }) => {
    expect(await zoneViolations(source, filePath)).toEqual([]);
  });

  it("finds no violation in the product tree", { timeout: 180_000 }, async () => {
    const results = await eslint.lintFiles(["app", "server", "jobs", "db", "scripts"].map((folder) => path.join(ROOT, folder)));
    const violations = results.flatMap((result) =>
      result.messages.filter((message) => message.ruleId === ZONE_RULE).map((message) => `${path.relative(ROOT, result.filePath)}:${message.line} ${message.message}`),
    );
    expect(violations).toEqual([]);
  });
});
