// Who may sign requests: the root key pair (full access, given at start) and scoped keys, each limited to a
// list of buckets like an IAM user whose policy names only those buckets. Scoped keys persist in
// <data dir>/access-keys.json (mode 0600; this is a local development server).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Credentials, ScopedAccessKey } from "@/server/infra/object-storage/local-s3-admin-protocol";
import { bucketNameProblem } from "./storage/names";

export type Principal =
  | { kind: "root"; accessKeyId: string }
  | { kind: "scoped"; accessKeyId: string; buckets: string[]; uploadsBlocked: boolean };

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export class AccessKeyStore {
  private readonly file: string;
  private scoped = new Map<string, ScopedAccessKey>();

  constructor(
    dataDir: string,
    private readonly root: Credentials,
  ) {
    this.file = path.join(dataDir, "access-keys.json");
    if (existsSync(this.file)) {
      const saved = JSON.parse(readFileSync(this.file, "utf8")) as { keys: ScopedAccessKey[] };
      this.scoped = new Map(saved.keys.map((key) => [key.accessKeyId, key]));
    }
  }

  /** The principal behind an access key id and its secret, or null for a key we do not know. */
  lookup(accessKeyId: string): { principal: Principal; secretAccessKey: string } | null {
    if (accessKeyId === this.root.accessKeyId) {
      return { principal: { kind: "root", accessKeyId }, secretAccessKey: this.root.secretAccessKey };
    }
    const key = this.scoped.get(accessKeyId);
    if (!key) return null;
    return { principal: { kind: "scoped", accessKeyId, buckets: key.buckets, uploadsBlocked: key.uploadsBlocked === true }, secretAccessKey: key.secretAccessKey };
  }

  create(input: { buckets: string[]; name?: string | null }, now: Date): ScopedAccessKey {
    if (input.buckets.length === 0) throw new Error("a scoped access key needs at least one bucket");
    for (const bucket of input.buckets) {
      const problem = bucketNameProblem(bucket);
      if (problem) throw new Error(`bucket name "${bucket}" ${problem}`);
    }
    const key: ScopedAccessKey = {
      // Shaped like AWS's (20 upper-case characters, 40-character secret) so tools that check the shape accept it.
      accessKeyId: `LKIA${[...randomBytes(16)].map((byte) => BASE32[byte % 32]).join("")}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      buckets: [...new Set(input.buckets)],
      name: input.name ?? null,
      createdAt: now.toISOString(),
    };
    this.scoped.set(key.accessKeyId, key);
    this.save();
    return key;
  }

  list(): ScopedAccessKey[] {
    return [...this.scoped.values()];
  }

  get(accessKeyId: string): ScopedAccessKey | null {
    return this.scoped.get(accessKeyId) ?? null;
  }

  /** The key after the change, or null for a key we do not know. */
  setUploadsBlocked(accessKeyId: string, uploadsBlocked: boolean): ScopedAccessKey | null {
    const key = this.scoped.get(accessKeyId);
    if (!key) return null;
    key.uploadsBlocked = uploadsBlocked;
    this.save();
    return key;
  }

  /** True when the key existed. Requests signed with it are refused from now on. */
  delete(accessKeyId: string): boolean {
    const existed = this.scoped.delete(accessKeyId);
    if (existed) this.save();
    return existed;
  }

  private save() {
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ keys: this.list() }, null, 2), { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
