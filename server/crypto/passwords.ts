// Passwords Lyceum mints for the accounts it creates: 192 random bits in URL-safe characters, so they go
// into connection URLs and config files without quoting.
import { randomBytes } from "node:crypto";

export function newServicePassword(): string {
  return randomBytes(24).toString("base64url");
}
