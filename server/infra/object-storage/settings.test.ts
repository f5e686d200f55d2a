import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { objectStorageSettings } from "./settings";

const base = { DATABASE_URL: "postgres://localhost/x", AUTH_SECRET: "x".repeat(32), LYCEUM_ENCRYPTION_KEY: Buffer.alloc(32).toString("base64") };

describe("object storage settings", () => {
  it("default to AWS S3 in us-east-1 with virtual-hosted addressing and the SDK's own credentials", () => {
    const config = parseEnv(base);
    expect(objectStorageSettings(config)).toEqual({ endpoint: undefined, region: "us-east-1", forcePathStyle: false, credentials: undefined });
    expect(config.LYCEUM_ASSETS_BUCKET).toBe("lyceum-assets");
  });

  it("use path-style addressing with an S3_ENDPOINT unless told otherwise", () => {
    const settings = objectStorageSettings(parseEnv({ ...base, S3_ENDPOINT: "http://127.0.0.1:9000", S3_ACCESS_KEY_ID: "AK", S3_SECRET_ACCESS_KEY: "SK" }));
    expect(settings).toEqual({ endpoint: "http://127.0.0.1:9000", region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "AK", secretAccessKey: "SK" } });
    expect(objectStorageSettings(parseEnv({ ...base, S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "false" })).forcePathStyle).toBe(false);
  });

  it("refuse half a key pair, a malformed endpoint and an invalid bucket name, naming the variable", () => {
    expect(() => parseEnv({ ...base, S3_ACCESS_KEY_ID: "AK" })).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(() => parseEnv({ ...base, S3_ENDPOINT: "not a url" })).toThrow(/S3_ENDPOINT/);
    expect(() => parseEnv({ ...base, LYCEUM_ASSETS_BUCKET: "Not_A_Bucket" })).toThrow(/LYCEUM_ASSETS_BUCKET/);
  });
});
