import { describe, expect, it } from "vitest";
import { clientAddressOf } from "./client-address";

const forwardedFor = (value: string) => new Headers({ "x-forwarded-for": value });

describe("the client address of a request", () => {
  it("without a proxy, is the address Next.js recorded from the socket", () => {
    expect(clientAddressOf(forwardedFor("203.0.113.7"), 0)).toBe("203.0.113.7");
    expect(clientAddressOf(forwardedFor("::ffff:203.0.113.7"), 0)).toBe("203.0.113.7");
  });

  it("behind trusted proxies, is the entry the outermost one appended, whatever the client prepended", () => {
    expect(clientAddressOf(forwardedFor("1.1.1.1, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientAddressOf(forwardedFor("1.1.1.1, 203.0.113.7, 10.0.0.2"), 2)).toBe("203.0.113.7");
  });

  it("is unknown when the request carries no address", () => {
    expect(clientAddressOf(new Headers(), 0)).toBeNull();
  });

  it("falls back to the first entry when fewer proxies appended than configured", () => {
    expect(clientAddressOf(forwardedFor("203.0.113.7"), 2)).toBe("203.0.113.7");
  });
});
