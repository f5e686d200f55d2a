// Small file-system helpers for the store: atomic JSON writes and random, path-safe ids.
import { randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";

/** Writes through a temporary file and a rename, so a crash leaves the old or the new content, never half. */
export function writeJsonAtomically(file: string, value: unknown) {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, file);
}

/** A random id made of [A-Za-z0-9_-], safe as a file name and in a URL. */
export const randomId = (bytes = 24) => randomBytes(bytes).toString("base64url");

export const isRandomId = (value: string) => /^[A-Za-z0-9_-]{16,64}$/.test(value);
