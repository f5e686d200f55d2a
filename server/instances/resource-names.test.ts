import { describe, expect, it } from "vitest";
import { grantPattern } from "@/server/infra/mysql/admin-connection";
import { OPENEDX_MYSQL_SERVICES } from "./openedx-services";
import { instanceResourceNames, MYSQL_USER_NAME_MAX } from "./resource-names";

const longestPrefix = "abcdef";
const a = instanceResourceNames({ resourceKey: "0123456789ab" }, longestPrefix);
const b = instanceResourceNames({ resourceKey: "0123456789ac" }, longestPrefix);

function everyName(names: typeof a) {
  return [
    ...names.mysql.databases.map((d) => d.name),
    ...names.mysql.users.map((u) => u.name),
    names.mongodb.database,
    names.mongodb.user,
    names.rabbitmq.vhost,
    names.rabbitmq.user,
    names.objectStorage.bucket,
    names.objectStorage.iamUser,
    names.mailRelay.user,
  ];
}

describe("resource names", () => {
  it("gives every Open edX database its own name, and a user per service plus a migration and a read-only user", () => {
    const databaseCount = OPENEDX_MYSQL_SERVICES.flatMap((s) => s.databases).length;
    expect(a.mysql.databases).toHaveLength(databaseCount);
    expect(a.mysql.databases.map((d) => d.name)).toContain("abcdef_0123456789ab_edxapp_csmh");
    expect(a.mysql.users.map((u) => u.role)).toEqual([...OPENEDX_MYSQL_SERVICES.map((s) => s.service), "migrate", "readonly"]);
    const edxapp = a.mysql.users.find((u) => u.role === "edxapp")!;
    expect(edxapp.databases).toEqual(["abcdef_0123456789ab_edxapp", "abcdef_0123456789ab_edxapp_csmh"]);
    expect(a.mysql.users.find((u) => u.role === "readonly")).toMatchObject({ access: "read-only", databases: a.mysql.databases.map((d) => d.name) });
  });

  it("keeps MySQL user names within MySQL 8's 32 characters, even with the longest prefix", () => {
    for (const user of a.mysql.users) expect(user.name.length).toBeLessThanOrEqual(MYSQL_USER_NAME_MAX);
    for (const database of a.mysql.databases) expect(database.name.length).toBeLessThanOrEqual(64);
  });

  it("uses only characters that need no quoting, and none S3 forbids in bucket names", () => {
    for (const name of everyName(a)) expect(name).toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(a.objectStorage.bucket).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
  });

  it("never gives two instances the same name", () => {
    const namesOfA = new Set(everyName(a));
    expect(everyName(b).filter((name) => namesOfA.has(name))).toEqual([]);
  });

  it("is the same every time for the same instance, so a retried step finds what it made", () => {
    expect(instanceResourceNames({ resourceKey: "0123456789ab" }, longestPrefix)).toEqual(a);
  });

  it("refuses a key or prefix that could smuggle in other characters", () => {
    expect(() => instanceResourceNames({ resourceKey: "abc`; drop" }, "lyc")).toThrow(/Resource key/);
    expect(() => instanceResourceNames({ resourceKey: "0123456789ab" }, "Lyc_")).toThrow(/Resource prefix/);
  });

  it("escapes GRANT's wildcards, so a grant covers exactly one database", () => {
    expect(grantPattern("lyc_0123456789ab_edxapp")).toBe("lyc\\_0123456789ab\\_edxapp");
  });
});
