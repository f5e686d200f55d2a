import { describe, expect, it } from "vitest";
import { embeddedIpv4, nonPublicReason, resolvePublicAddresses } from "./public-address";

describe("public internet addresses", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["10.1.2.3", "a private network"],
    ["172.20.0.1", "a private network"],
    ["192.168.1.1", "a private network"],
    ["169.254.169.254", "link-local: cloud metadata"],
    ["100.100.100.200", "carrier-grade NAT"],
    ["0.0.0.0", "“this network”"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["fd00:ec2::254", "a private network (unique local)"],
    ["2001:db8::25", "documentation"],
    ["ff02::1", "multicast"],
    // IPv4 inside IPv6: mapped (dotted and hex), compatible, NAT64 and 6to4.
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["0:0:0:0:0:ffff:a9fe:a9fe", "link-local: cloud metadata"],
    ["::ffff:169.254.169.254", "link-local: cloud metadata"],
    ["::10.0.0.1", "a private network"],
    ["64:ff9b::a9fe:a9fe", "link-local: cloud metadata"],
    ["2002:c0a8:0101::1", "a private network"],
  ])("%s is refused: %s", (address, why) => {
    expect(nonPublicReason(address)).toBe(why);
  });

  it.each(["8.8.8.8", "1.1.1.1", "198.51.99.1", "2001:4860:4860::8888", "2a00:1450:4007::1b", "::ffff:8.8.8.8", "2002:0808:0808::1"])("%s is public", (address) => {
    expect(nonPublicReason(address)).toBeNull();
  });

  it("finds the IPv4 address inside an IPv6 one, and none in a plain IPv6 address", () => {
    expect(embeddedIpv4("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(embeddedIpv4("64:ff9b::808:808")).toBe("8.8.8.8");
    expect(embeddedIpv4("2001:4860:4860::8888")).toBeNull();
  });

  it("resolves a name and refuses it when any of its addresses is not public", async () => {
    await expect(resolvePublicAddresses("localhost")).rejects.toThrow(/^localhost resolves to (127\.0\.0\.1|::1), which is not a public internet address \(loopback\)\.$/);
  });

  it("takes IP literals as they are, with or without brackets", async () => {
    expect(await resolvePublicAddresses("8.8.8.8")).toEqual(["8.8.8.8"]);
    await expect(resolvePublicAddresses("169.254.169.254")).rejects.toThrow("169.254.169.254 is not a public internet address (link-local: cloud metadata).");
    await expect(resolvePublicAddresses("[::ffff:127.0.0.1]")).rejects.toThrow("::ffff:127.0.0.1 is not a public internet address (loopback).");
  });
});
