import { describe, expect, it } from "vitest";
import { checkScrapeAuthorization } from "./scrape-auth";

describe("scrape authorisation", () => {
  const token = "a-metrics-token-of-some-length";

  it("accepts the configured bearer token and nothing else", () => {
    expect(checkScrapeAuthorization(`Bearer ${token}`, token)).toEqual({ ok: true });
    expect(checkScrapeAuthorization(`bearer ${token}`, token)).toEqual({ ok: true });
    expect(checkScrapeAuthorization(`Bearer ${token}x`, token)).toMatchObject({ ok: false, status: 401 });
    expect(checkScrapeAuthorization(null, token)).toMatchObject({ ok: false, status: 401 });
    expect(checkScrapeAuthorization(`Basic ${token}`, token)).toMatchObject({ ok: false, status: 401 });
  });

  it("keeps the endpoints closed when no token is configured", () => {
    expect(checkScrapeAuthorization("Bearer anything", undefined)).toMatchObject({ ok: false, status: 404 });
  });
});
