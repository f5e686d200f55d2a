// Whether an address is on the public internet, for connections made on a user's behalf (their SMTP server):
// loopback, private, link-local (169.254.169.254, the cloud metadata service), carrier-grade NAT, multicast,
// documentation and reserved ranges are refused, also when an IPv6 address carries one of them inside it
// (::ffff:127.0.0.1, NAT64, 6to4). Ranges from the IANA special-purpose registries (RFC 6890 and updates).
import { lookup, type Resolver } from "node:dns/promises";
import net from "node:net";

const NON_PUBLIC_IPV4: [string, number, string][] = [
  ["0.0.0.0", 8, "“this network”"],
  ["10.0.0.0", 8, "a private network"],
  ["100.64.0.0", 10, "carrier-grade NAT"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local: cloud metadata"],
  ["172.16.0.0", 12, "a private network"],
  ["192.0.0.0", 24, "IETF protocol assignments"],
  ["192.0.2.0", 24, "documentation"],
  ["192.88.99.0", 24, "6to4 relay anycast"],
  ["192.168.0.0", 16, "a private network"],
  ["198.18.0.0", 15, "benchmarking"],
  ["198.51.100.0", 24, "documentation"],
  ["203.0.113.0", 24, "documentation"],
  ["224.0.0.0", 4, "multicast"],
  ["240.0.0.0", 4, "reserved"],
];

const NON_PUBLIC_IPV6: [string, number, string][] = [
  ["::", 128, "unspecified"],
  ["::1", 128, "loopback"],
  ["100::", 64, "discard-only"],
  ["2001::", 23, "IETF protocol assignments (Teredo and others)"],
  ["2001:db8::", 32, "documentation"],
  ["fc00::", 7, "a private network (unique local)"],
  ["fe80::", 10, "link-local"],
  ["fec0::", 10, "site-local"],
  ["ff00::", 8, "multicast"],
];

function blockList(ranges: [string, number, string][], family: "ipv4" | "ipv6") {
  return ranges.map(([network, prefix, why]) => {
    const list = new net.BlockList();
    list.addSubnet(network, prefix, family);
    return { list, why };
  });
}

const IPV4_RANGES = blockList(NON_PUBLIC_IPV4, "ipv4");
const IPV6_RANGES = blockList(NON_PUBLIC_IPV6, "ipv6");

/** The 16 bytes of an IPv6 address (net.isIPv6 must hold). */
function ipv6Bytes(address: string): number[] {
  let text = address.split("%")[0]!.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

const startsWith = (bytes: number[], prefix: number[]) => prefix.every((byte, index) => bytes[index] === byte);

/** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64 or 6to4), if any. */
export function embeddedIpv4(address: string): string | null {
  const bytes = ipv6Bytes(address);
  const quad = (offset: number) => bytes.slice(offset, offset + 4).join(".");
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return quad(12); // ::ffff:0:0/96, mapped
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) && !startsWith(bytes.slice(12), [0, 0, 0])) return quad(12); // ::/96, compatible
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return quad(12); // 64:ff9b::/96, NAT64
  if (startsWith(bytes, [0, 0x64, 0xff, 0x9b, 0, 1])) return quad(12); // 64:ff9b:1::/48, local-use NAT64
  if (startsWith(bytes, [0x20, 0x02])) return quad(2); // 2002::/16, 6to4
  return null;
}

/** Why `address` is not a public internet address, or null when it is one. */
export function nonPublicReason(address: string): string | null {
  if (net.isIPv4(address)) return IPV4_RANGES.find(({ list }) => list.check(address, "ipv4"))?.why ?? null;
  if (!net.isIPv6(address)) return "not an IP address";
  const ipv4 = embeddedIpv4(address);
  if (ipv4) return nonPublicReason(ipv4);
  return IPV6_RANGES.find(({ list }) => list.check(address.split("%")[0]!, "ipv6"))?.why ?? null;
}

export class NonPublicAddressError extends Error {}

/** A name's IPv4 and IPv6 addresses from a DNS server; a family without records is no error, no records at all is. */
async function resolveThrough(resolver: Resolver, name: string): Promise<string[]> {
  const noRecords = (error: unknown) => ["ENODATA", "ENOTFOUND"].includes((error as { code?: string }).code ?? "");
  const [v4, v6] = await Promise.allSettled([resolver.resolve4(name), resolver.resolve6(name)]);
  for (const result of [v4, v6]) if (result.status === "rejected" && !noRecords(result.reason)) throw result.reason;
  const addresses = [v4, v6].flatMap((result) => (result.status === "fulfilled" ? result.value : []));
  if (addresses.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
  return addresses;
}

/**
 * Resolves `host` (a name or an IP literal) and returns its addresses, all public; throws NonPublicAddressError
 * naming the first that is not. DNS errors (ENOTFOUND…) pass through as they are. Names are looked up as the
 * system does (hosts file, then DNS), or through `options.resolver` when given.
 */
export async function resolvePublicAddresses(host: string, options: { resolver?: Resolver } = {}): Promise<string[]> {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  const addresses = net.isIP(bare)
    ? [bare]
    : options.resolver
      ? await resolveThrough(options.resolver, bare)
      : (await lookup(bare, { all: true, verbatim: true })).map((entry) => entry.address);
  for (const address of addresses) {
    const why = nonPublicReason(address);
    if (why) {
      const subject = address === bare ? address : `${host} resolves to ${address}, which`;
      throw new NonPublicAddressError(`${subject} is not a public internet address (${why}).`);
    }
  }
  return addresses;
}
