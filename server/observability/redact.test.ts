import { describe, expect, it } from "vitest";
import { rememberSecrets, scrubLogLine, scrubSecrets } from "./redact";

describe("scrubbing secrets from log lines", () => {
  it("replaces a remembered secret wherever it appears, also inside a JSON string", () => {
    rememberSecrets({ password: 'p@ss"word-123456', nested: ["another-secret-value"] }, { instanceId: null });
    expect(scrubSecrets("login with p@ss\"word-123456 failed")).toBe("login with [redacted] failed");
    expect(scrubSecrets(JSON.stringify({ msg: 'bad p@ss"word-123456' }))).toBe('{"msg":"bad [redacted]"}');
    expect(scrubSecrets("x another-secret-value y")).toBe("x [redacted] y");
  });

  it("leaves short values alone, so ordinary words are not blanked out", () => {
    rememberSecrets("short", { instanceId: null });
    expect(scrubSecrets("a short message")).toBe("a short message");
  });

  it("scrubs an instance's secrets only from text about that instance", () => {
    rememberSecrets({ password: "tenant-one-password" }, { instanceId: "instance-one" });
    expect(scrubSecrets("x tenant-one-password y", ["instance-one"])).toBe("x [redacted] y");
    expect(scrubSecrets("x tenant-one-password y", ["instance-two"])).toBe("x tenant-one-password y");
    expect(scrubSecrets("x tenant-one-password y")).toBe("x tenant-one-password y");
    expect(scrubLogLine('{"instanceId":"instance-one","msg":"tenant-one-password"}')).toBe('{"instanceId":"instance-one","msg":"[redacted]"}');
    expect(scrubLogLine('{"instanceId":"instance-two","msg":"tenant-one-password"}')).toBe('{"instanceId":"instance-two","msg":"tenant-one-password"}');
    // A message quoting the field does not make the line about that instance (the quotes arrive escaped).
    expect(scrubLogLine('{"msg":"\\"instanceId\\":\\"instance-one\\" tenant-one-password"}')).toContain("tenant-one-password");
  });

  it("hides credentials inside URLs, key=value pairs and bearer tokens it was never told about", () => {
    expect(scrubSecrets("connect mysql://edxapp:s3cr3t-pw@10.0.0.1:3306/edxapp")).toBe("connect mysql://edxapp:[redacted]@10.0.0.1:3306/edxapp");
    expect(scrubSecrets("password=hunter22 user=bob")).toBe("password=[redacted] user=bob");
    expect(scrubSecrets('{"token":"abc123def","ok":true}')).toBe('{"token":"[redacted]","ok":true}');
    expect(scrubSecrets('{"password":null}')).toBe('{"password":[redacted]}');
    expect(scrubSecrets("Authorization: Bearer abcdefghijklmnop")).toBe("Authorization: Bearer [redacted]");
  });

  it("keeps ordinary URLs and messages as they are", () => {
    const line = "Your instance is running at http://acme.localhost:4000/ (3 secrets stored)";
    expect(scrubSecrets(line)).toBe(line);
  });
});
