// The ledger's kinds have one home (server/instances/ledger-kinds.ts). The type system holds every call of the
// ledger's helpers and every query on instance_resources.kind to that list; this test also catches a kind written
// where no type looks (a label table, a message): every string in the product code that looks like a ledger kind
// is a listed one, and every listed kind is written somewhere.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isLedgerKind, LEDGER_KINDS } from "@/server/instances/ledger-kinds";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PRODUCT_FOLDERS = ["app", "server", "jobs", "db", "scripts"];
const HOME = path.join("server", "instances", "ledger-kinds.ts");

function productSources(): { file: string; text: string }[] {
  return PRODUCT_FOLDERS.flatMap((folder) =>
    readdirSync(path.join(ROOT, folder), { recursive: true, encoding: "utf8" })
      .filter((file) => /\.tsx?$/.test(file) && !file.endsWith(".test.ts"))
      .map((file) => path.join(folder, file))
      .filter((file) => file !== HOME)
      .map((file) => ({ file, text: readFileSync(path.join(ROOT, file), "utf8") })),
  );
}

/** `"<namespace>.<name>"` string literals whose namespace is one the listed kinds use (mysql, s3, compute, …). */
function kindLikeStrings(text: string): string[] {
  const namespaces = [...new Set(LEDGER_KINDS.map((kind) => kind.split(".")[0]))].join("|");
  return [...text.matchAll(new RegExp(`["'\`]((?:${namespaces})\\.[a-z_]+)["'\`]`, "g"))].map((match) => match[1]!);
}

describe("ledger kinds", () => {
  const sources = productSources();

  it("every string in the product code that looks like a ledger kind is a listed kind", () => {
    const unlisted = sources.flatMap(({ file, text }) =>
      kindLikeStrings(text)
        .filter((kind) => !isLedgerKind(kind))
        .map((kind) => `${file}: "${kind}"`),
    );
    expect(unlisted).toEqual([]);
  });

  it("every listed kind is written by the product code (no kind is left over)", () => {
    const written = new Set(sources.flatMap(({ text }) => kindLikeStrings(text)));
    expect(LEDGER_KINDS.filter((kind) => !written.has(kind))).toEqual([]);
  });

  it("finds a kind the list does not have (the check itself works)", () => {
    expect(kindLikeStrings(`await ctx.ledger.record("mysql.snapshot", name, {});`)).toEqual(["mysql.snapshot"]);
  });
});
