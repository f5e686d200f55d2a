// Item 16: instances share the platform's Elasticsearch. An index prefix of its own keeps a tenant's edx-search from
// colliding with its neighbours', but on a cluster with security every VM signing in with one shared account (or
// none) could still read, rewrite or delete any other tenant's indices from a taken-over VM. Here two instances go
// through provisioning's elasticsearch step against a loopback Elasticsearch that enforces roles as the real one
// does (tests/helpers/fake-elasticsearch.ts); A's user-data is rendered and run through Jinja2 and the settings
// Python as Tutor 17 runs them (tests/helpers/tutor_render.py), and the credentials Django ends up with are used
// against B's index and A's own.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startFakeElasticsearch } from "../helpers/fake-elasticsearch";

const ADMIN = { user: "platform-elastic-admin", password: "Adm1n-elastic-Pa55-7c1e" };
const search = await startFakeElasticsearch(ADMIN);

const { db, closeDb } = await import("@/db");
const { instances } = await import("@/db/schema");
const { deprovisionPipeline } = await import("@/jobs/pipelines/deprovision");
const { provisionPipeline } = await import("@/jobs/pipelines/provision");
const { parseEnv } = await import("@/server/env");
const { searchSecurityDriver } = await import("@/server/infra");
const { tenantPrefixes } = await import("@/server/infra/compute/cloud-init/tutor-config");
const { stepContext } = await import("../helpers/step-context");
const { createInstance, makeVerifiedUser } = await import("../helpers/registration");
const { uniqueSuffix } = await import("../helpers/accounts");
const { deployedConfig, ledger: sampleLedger, render } = await import("../helpers/sample-deployment");

type Instance = typeof instances.$inferSelect;
type Credentials = { username: string; password: string };
type SearchHost = { host: string; port: number; http_auth?: [string, string] };

const PYTHON = "/usr/bin/python3";
const TUTOR_RENDER = path.join(__dirname, "..", "helpers", "tutor_render.py");
const SHARED = { elasticsearchHost: `http://${search.host}`, memcachedHost: "cache.internal:11211" };
const driver = searchSecurityDriver(parseEnv({ ...process.env, ELASTICSEARCH_HOST: SHARED.elasticsearchHost, ELASTICSEARCH_ADMIN_URL: search.adminUrl }));

const stepNamed = (name: string) => {
  const step = [...provisionPipeline.steps, ...deprovisionPipeline.steps].find((candidate) => candidate.name === name);
  if (!step) throw new Error(`no pipeline step named ${name}`);
  return step;
};

/** An instance taken through provisioning's elasticsearch step; its credentials as the ledger holds them. */
async function provisioned(name: string) {
  const owner = await makeVerifiedUser();
  const created = await createInstance(owner.id, { name, subdomain: `search-${uniqueSuffix()}`, plan: "starter" });
  const [instance] = await db.update(instances).set({ status: "provisioning" }).where(eq(instances.id, created.id)).returning();
  const ctx = await stepContext(instance!, { elasticsearch: driver });
  const summary = await stepNamed("elasticsearch").run(ctx);
  const [user] = await ctx.ledger.list("elasticsearch.user");
  const credentials: Credentials = { username: user!.externalId, password: ctx.ledger.secretsOf(user!)!.password };
  return { instance: instance! as Instance, ctx, summary, credentials, indexPrefix: tenantPrefixes(instance!.id).searchIndexPrefix };
}

/** A's user-data as the VM receives it (the sample data services plus A's real ledger entries for search). */
async function userDataOf(target: Awaited<ReturnType<typeof provisioned>>) {
  const searchEntries = await target.ctx.ledger.list();
  return render(deployedConfig(target.instance, [...sampleLedger, ...searchEntries]), SHARED);
}

/** The ELASTIC_SEARCH_CONFIG Django's LMS runs with, from Tutor 17's templates and the lyceum plugin. */
function searchConfigOf(userData: string): SearchHost[] {
  const output = execFileSync(PYTHON, [TUTOR_RENDER], { input: JSON.stringify({ userData }), encoding: "utf8" });
  return (JSON.parse(output) as { settings: { lms: { ELASTIC_SEARCH_CONFIG: SearchHost[] } } }).settings.lms.ELASTIC_SEARCH_CONFIG;
}

let a: Awaited<ReturnType<typeof provisioned>>;
let b: Awaited<ReturnType<typeof provisioned>>;

beforeAll(async () => {
  a = await provisioned("Alpha Academy");
  b = await provisioned("Beta Academy");
});

afterAll(async () => {
  await search.close();
  await closeDb();
});

describe("a tenant reading or rewriting another tenant's indices on the shared Elasticsearch", () => {
  it("gives each instance a user of its own whose only role reaches only its own index prefix", () => {
    expect(a.summary).toMatch(/^created user /);
    expect(a.credentials.username).not.toBe(b.credentials.username);
    expect(a.credentials.password).not.toBe(b.credentials.password);
    expect(a.credentials.password.length).toBeGreaterThanOrEqual(32);
    for (const tenant of [a, b]) {
      const user = search.users.get(tenant.credentials.username)!;
      expect(user.roles).toHaveLength(1);
      expect(search.roles.get(user.roles[0]!)).toEqual({ indices: [{ names: [`${tenant.indexPrefix}*`], privileges: ["all"] }] });
      expect(tenant.indexPrefix).toMatch(/^lyc[0-9a-f]{32}_$/);
    }
    // The step signed in as the platform's admin account for every security API call.
    expect(search.requests.filter((request) => request.path.startsWith("/_security/")).every((request) => request.user === ADMIN.user)).toBe(true);
  });

  it("refuses A's credentials on B's index and accepts them on A's own", async () => {
    const bIndex = `${b.indexPrefix}courseware_content`;
    const aIndex = `${a.indexPrefix}courseware_content`;
    expect((await search.asUser(b.credentials, "POST", `/${bIndex}/_doc`, { content: "Beta's private course" })).status).toBe(201);

    const read = await search.asUser(a.credentials, "GET", `/${bIndex}/_search`);
    expect(read.status).toBe(403);
    expect(JSON.stringify(read.body)).toContain("security_exception");
    expect((await search.asUser(a.credentials, "POST", `/${bIndex}/_doc`, { content: "poisoned" })).status).toBe(403);
    // Nor may it reach a name outside every prefix, or the cluster's security API.
    expect((await search.asUser(a.credentials, "GET", "/courseware_content/_search")).status).toBe(403);
    expect((await search.asUser(a.credentials, "PUT", `/_security/role/${b.credentials.username}`, { indices: [{ names: ["*"], privileges: ["all"] }] })).status).toBe(403);

    expect((await search.asUser(a.credentials, "POST", `/${aIndex}/_doc`, { content: "Alpha's course" })).status).toBe(201);
    const own = await search.asUser(a.credentials, "GET", `/${aIndex}/_search`);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).toContain("Alpha's course");
    expect(JSON.stringify(own.body)).not.toContain("Beta's private course");
  });

  it("keeps the ledger's password across a retried step, resetting the user to it", async () => {
    search.users.get(a.credentials.username)!.password = "changed-behind-our-back";
    const summary = await stepNamed("elasticsearch").run(a.ctx);
    expect(summary).toMatch(/^reset user /);
    const [entry] = await a.ctx.ledger.list("elasticsearch.user");
    expect(a.ctx.ledger.secretsOf(entry!)!.password).toBe(a.credentials.password);
    expect(search.users.get(a.credentials.username)!.password).toBe(a.credentials.password);
    // Sealed in the ledger: the details and the stored cell never show the password.
    expect(JSON.stringify(entry!.details)).not.toContain(a.credentials.password);
    expect(entry!.secrets).not.toContain(a.credentials.password);
  });

  it("hands A's VM A's own user, never the admin's, and Open edX signs in with it", async () => {
    const userData = await userDataOf(a);
    expect(userData).not.toContain(ADMIN.password);
    expect(userData).not.toContain(ADMIN.user);
    expect(userData).not.toContain(b.credentials.password);
    const files = (parse(userData) as { write_files: { path: string; content: string }[] }).write_files;
    const tutor = parse(files.find((file) => file.path.endsWith("/tutor/config.yml"))!.content) as Record<string, string>;
    expect(decodeURIComponent(tutor.LYCEUM_TEXT_SEARCH_USERNAME!)).toBe(a.credentials.username);
    expect(decodeURIComponent(tutor.LYCEUM_TEXT_SEARCH_PASSWORD!)).toBe(a.credentials.password);

    const [host] = searchConfigOf(userData);
    expect(host).toMatchObject({ host: "127.0.0.1", port: Number(search.host.split(":")[1]) });
    expect(host!.http_auth).toEqual([a.credentials.username, a.credentials.password]);
    const [username, password] = host!.http_auth!;
    expect((await search.asUser({ username, password }, "GET", `/${a.indexPrefix}courseware_content/_search`)).status).toBe(200);
    expect((await search.asUser({ username, password }, "GET", `/${b.indexPrefix}courseware_content/_search`)).status).toBe(403);
  });

  it("removes each instance's user and role at teardown, and a repeated teardown finds nothing left", async () => {
    const remove = stepNamed("remove_elasticsearch");
    expect(await remove.run(a.ctx)).toBe("removed 1 user and removed 1 role");
    expect(search.users.has(a.credentials.username)).toBe(false);
    expect((await search.asUser(a.credentials, "GET", `/${a.indexPrefix}courseware_content/_search`)).status).toBe(401);
    expect(search.users.has(b.credentials.username)).toBe(true);

    // A user deleted by hand already: its 404 is not an error.
    search.users.delete(b.credentials.username);
    expect(await remove.run(b.ctx)).toBe("removed 0 users (1 already gone) and removed 1 role");
    expect(search.users.size).toBe(0);
    expect(search.roles.size).toBe(0);
    expect(await remove.run(a.ctx)).toBe("nothing to remove: no Elasticsearch user was recorded");
  });
});

describe("a shared Elasticsearch without security (no ELASTICSEARCH_ADMIN_URL)", () => {
  it("selects no driver, skips the step, and renders no search credentials", async () => {
    expect(searchSecurityDriver(parseEnv({ ...process.env, ELASTICSEARCH_HOST: SHARED.elasticsearchHost, ELASTICSEARCH_ADMIN_URL: "" }))).toBeNull();
    expect(searchSecurityDriver(parseEnv({ ...process.env, ELASTICSEARCH_HOST: "", ELASTICSEARCH_ADMIN_URL: search.adminUrl }))).toBeNull();
    const owner = await makeVerifiedUser();
    const instance = await createInstance(owner.id, { name: "Gamma Academy", subdomain: `search-${uniqueSuffix()}`, plan: "starter" });
    const ctx = await stepContext(instance, { elasticsearch: null });
    const before = search.requests.length;
    expect(await stepNamed("elasticsearch").run(ctx)).toMatch(/^skipped: /);
    expect(await ctx.ledger.list()).toEqual([]);
    expect(search.requests.length).toBe(before);

    const userData = render(deployedConfig(instance, sampleLedger), SHARED);
    expect(userData).not.toContain("LYCEUM_TEXT_SEARCH");
    expect(userData).not.toContain("http_auth");
    expect(searchConfigOf(userData)[0]!.http_auth).toBeUndefined();
  });

  it("rejects an admin URL without a user and password", () => {
    expect(() => parseEnv({ ...process.env, ELASTICSEARCH_ADMIN_URL: "https://search.internal:9200" })).toThrow(/ELASTICSEARCH_ADMIN_URL/);
  });
});
