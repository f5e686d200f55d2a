// Item 16: instances share the platform's memcached and Elasticsearch. Django's cache keys are KEY_PREFIX:VERSION:key
// and memcached values are pickles Django unpickles, edx-search's index names are ELASTIC_SEARCH_INDEX_PREFIX + name:
// without a prefix of its own, a tenant reads and poisons its neighbours' cache and search indices. Two instances'
// user-data are rendered and run through Debian's Jinja2 and PyYAML as Tutor 17 runs them
// (tests/helpers/tutor_render.py), and the settings Python they produce is executed.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tenantPrefixes } from "@/server/infra/compute/cloud-init/tutor-config";
import { deployedConfig, instance, PLATFORM, render } from "../helpers/sample-deployment";

const PYTHON = "/usr/bin/python3";
const TUTOR_RENDER = path.join(__dirname, "..", "helpers", "tutor_render.py");
const SHARED = { ...PLATFORM, memcachedHost: "cache.internal:11211", elasticsearchHost: "https://search.internal:9243" };
/** The indices edx-search creates in Open edX Quince (course search, course discovery). */
const INDEX_NAMES = ["courseware_content", "course_info"];

type Cache = { KEY_PREFIX: string; VERSION?: string; BACKEND: string; LOCATION: string };
type Settings = { CACHES: Record<string, Cache>; ELASTIC_SEARCH_INDEX_PREFIX: string; STORED_KEYS: Record<string, string[]> };
/** Keys as Open edX makes them: short, with spaces, and longer than memcached's 250 bytes. */
const CACHE_KEYS = ["course-v1:Org+Course+Run", "block structure for a course", `grades.${"x".repeat(300)}`];

function settingsOf(instanceId: string, resourceKey: string): Record<"lms" | "cms", Settings> {
  const userData = render(deployedConfig({ ...instance, id: instanceId, resourceKey }), SHARED);
  const output = execFileSync(PYTHON, [TUTOR_RENDER], { input: JSON.stringify({ userData, cacheKeys: CACHE_KEYS }), encoding: "utf8" });
  return (JSON.parse(output) as { settings: Record<"lms" | "cms", Settings> }).settings;
}

describe("a tenant reading or poisoning another tenant's shared cache or search index", () => {
  const a = settingsOf("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "aaaaaaaaaaaa");
  const b = settingsOf("0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "bbbbbbbbbbbb");

  it("puts every Django cache of both instances on the shared memcached, each under its own instance's prefix", () => {
    for (const [settings, instanceId] of [
      [a, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"],
      [b, "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"],
    ] as const) {
      const { cacheKeyPrefix } = tenantPrefixes(instanceId);
      for (const service of ["lms", "cms"] as const) {
        const caches = Object.values(settings[service].CACHES);
        expect(caches.length).toBeGreaterThanOrEqual(7);
        for (const cache of caches) {
          expect(cache.LOCATION).toBe("cache.internal:11211");
          expect(cache.KEY_PREFIX.startsWith(cacheKeyPrefix)).toBe(true);
        }
      }
    }
  });

  it("stores every key of every cache under the instance's own prefix, also keys memcached would refuse", () => {
    for (const [settings, instanceId] of [
      [a, "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"],
      [b, "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e"],
    ] as const) {
      const { cacheKeyPrefix } = tenantPrefixes(instanceId);
      for (const service of ["lms", "cms"] as const) {
        const storedKeys = Object.values(settings[service].STORED_KEYS);
        expect(storedKeys.map((keys) => keys.length)).toEqual(Object.keys(settings[service].CACHES).map(() => CACHE_KEYS.length));
        for (const stored of storedKeys.flat()) {
          expect(stored.startsWith(cacheKeyPrefix)).toBe(true);
          expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(250);
          expect(stored).not.toMatch(/[\s\p{Cc}]/u);
        }
      }
    }
  });

  it("gives the two instances no memcached key in common, for any cache and any key", () => {
    const keysOf = (settings: Record<"lms" | "cms", Settings>) => (["lms", "cms"] as const).flatMap((service) => Object.values(settings[service].STORED_KEYS).flat());
    const keysOfB = new Set(keysOf(b));
    expect(keysOf(a).filter((key) => keysOfB.has(key))).toEqual([]);
    // No prefix of one is a prefix of the other's: no key of A can be a key of B, whatever follows.
    const prefixesOfA = Object.values(a.lms.CACHES).map((cache) => cache.KEY_PREFIX);
    const prefixesOfB = Object.values(b.lms.CACHES).map((cache) => cache.KEY_PREFIX);
    for (const prefixA of prefixesOfA) for (const prefixB of prefixesOfB) expect(prefixA.startsWith(prefixB) || prefixB.startsWith(prefixA)).toBe(false);
  });

  it("gives the two instances Elasticsearch indices of their own", () => {
    for (const service of ["lms", "cms"] as const) {
      expect(a[service].ELASTIC_SEARCH_INDEX_PREFIX).not.toBe("");
      expect(a[service].ELASTIC_SEARCH_INDEX_PREFIX).not.toBe(b[service].ELASTIC_SEARCH_INDEX_PREFIX);
    }
    // edx-search names an index ELASTIC_SEARCH_INDEX_PREFIX + index name.
    const indicesOfA = INDEX_NAMES.map((name) => a.lms.ELASTIC_SEARCH_INDEX_PREFIX + name);
    const indicesOfB = INDEX_NAMES.map((name) => b.lms.ELASTIC_SEARCH_INDEX_PREFIX + name);
    expect(indicesOfA.filter((index) => indicesOfB.includes(index))).toEqual([]);
    // Elasticsearch index names: lower case, no \ / * ? " < > | , # or space, not starting with - _ +.
    for (const index of [...indicesOfA, ...indicesOfB]) expect(index).toMatch(/^[a-z0-9][a-z0-9_.-]*$/);
  });

  it("refuses to derive prefixes from an instance id that is not a UUID", () => {
    expect(() => tenantPrefixes("../other")).toThrow(/is not a UUID/);
  });
});
