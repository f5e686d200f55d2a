// The layers eslint.config.mjs enforces: a deliberate violation in each zone is reported by the real ESLint
// with the project's own configuration, what each zone allows still passes, and the product tree has none.
// The browser's side of the layers (./client-graph.ts) is checked the same way: made-up modules that break it, then the tree.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { clientGraphViolations, repositorySources } from "./client-graph";

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
    { zone: "domain code may not import the API layer", filePath: "server/instances/example.ts", source: 'import { trpcErrorOf } from "@/server/api/domain-errors";\nexport const answer = trpcErrorOf;\n', refused: "'@/server/api/domain-errors'" },
    { zone: "domain code may not throw a TRPCError", filePath: "server/instances/example.ts", source: 'import { TRPCError } from "@trpc/server";\nexport const refuse = () => new TRPCError({ code: "NOT_FOUND" });\n', refused: "'@trpc/server'" },
    { zone: "domain code may not reach the API layer by a relative path", filePath: "server/billing/example.ts", source: 'export { instanceProcedure } from "../api/trpc";\n', refused: "'../api/trpc'" },
    { zone: "a router may not import another router", filePath: "server/api/routers/example.ts", source: 'import { instancesRouter } from "./instances";\nexport const router = instancesRouter;\n', refused: "'./instances'" },
    { zone: "a router may not import another router by alias", filePath: "server/api/routers/example.ts", source: 'import { billingRouter } from "@/server/api/routers/billing";\nexport const router = billingRouter;\n', refused: "'@/server/api/routers/billing'" },
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
    { what: "the API layer maps domain errors", filePath: "server/api/example.ts", source: 'import { InstanceNotFoundError } from "@/server/instances/access";\nexport const refusal = InstanceNotFoundError;\n' },
    { what: "a router uses a domain service and the procedure kinds", filePath: "server/api/routers/example.ts", source: 'import { startCheckout } from "@/server/billing/checkout";\nimport { instanceProcedure } from "../trpc";\nexport const pay = instanceProcedure.mutation(({ ctx }) => startCheckout(ctx.user, ctx.instance));\n' },
    { what: "a tool imports the product's protocol", filePath: "tools/local-s3/example.ts", source: 'import { signRequest } from "@/server/infra/object-storage/sigv4";\nexport const sign = signRequest;\n' },
    { what: "a test starts an emulator", filePath: "tests/example.test.ts", source: 'import { startLocalS3Server } from "@/tools/local-s3";\nexport const start = startLocalS3Server;\n' },
  ])("allows what the layers allow: $what", async ({ filePath, source }) => {
    expect(await zoneViolations(source, filePath)).toEqual([]);
  });

  it.each([
    {
      rule: "a client component may not reach the database",
      sources: { "app/x/form.tsx": '"use client";\nimport { save } from "./save";\nexport const Form = save;\n', "app/x/save.ts": 'import { db } from "@/db";\nexport const save = db;\n', "db/index.ts": "export const db = 1;\n" },
      refused: "app/x/form.tsx → app/x/save.ts → db/index.ts (the database (db/))",
    },
    {
      rule: "a client component may not reach the server's configuration",
      sources: { "app/x/form.tsx": "'use client';\nexport { plans } from \"@/server/billing/plans\";\n", "server/billing/plans.ts": 'import { env } from "../env";\nexport const plans = env;\n', "server/env.ts": "export const env = 1;\n" },
      refused: "app/x/form.tsx → server/billing/plans.ts → server/env.ts (the server's configuration and secrets (server/env.ts))",
    },
    {
      rule: "a client component may not reach a module marked server-only",
      sources: { "app/x/form.tsx": '"use client";\nconst guard = await import("@/server/auth/guards");\nexport default guard;\n', "server/auth/guards.ts": 'import "server-only";\nexport const requireUser = 1;\n' },
      refused: "app/x/form.tsx → server/auth/guards.ts → package:server-only (a module marked `import \"server-only\"`)",
    },
  ])("reports a deliberate violation: $rule", ({ sources, refused }) => {
    expect(clientGraphViolations(new Map(Object.entries(sources)))).toEqual([refused]);
  });

  it("lets a client component use types, isomorphic modules and server actions", () => {
    const sources = {
      "app/x/form.tsx": '"use client";\nimport type { Instance } from "@/db/schema";\nimport { type Plan, PLANS } from "@/server/billing/plans";\nimport { save } from "./actions";\nexport const f = [save, PLANS] as [unknown, Plan[]];\nexport type I = Instance;\n',
      "app/x/actions.ts": '"use server";\nimport { db } from "@/db";\nexport async function save() { return db; }\n',
      "server/billing/plans.ts": "export type Plan = string;\nexport const PLANS: Plan[] = [];\n",
      "db/index.ts": "export const db = 1;\n",
      "db/schema.ts": "export type Instance = { id: string };\n",
    };
    expect(clientGraphViolations(new Map(Object.entries(sources)))).toEqual([]);
  });

  it("finds no client component that reaches a server-only module", () => {
    expect(clientGraphViolations(repositorySources(ROOT))).toEqual([]);
  });

  it("finds no violation in the product tree", { timeout: 180_000 }, async () => {
    const results = await eslint.lintFiles(["app", "server", "jobs", "db", "scripts"].map((folder) => path.join(ROOT, folder)));
    const violations = results.flatMap((result) =>
      result.messages.filter((message) => message.ruleId === ZONE_RULE).map((message) => `${path.relative(ROOT, result.filePath)}:${message.line} ${message.message}`),
    );
    expect(violations).toEqual([]);
  });
});
