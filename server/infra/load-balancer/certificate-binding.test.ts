import { describe, expect, it } from "vitest";
import { bindCertificatesToOwners, coversHostname } from "./certificate-binding";
import type { LoadBalancedSite } from "./state";

const site = (instanceId: string, hostnames: string[]): LoadBalancedSite => ({ instanceId, hostnames, backendAddresses: [], mode: "preparing" });
const pem = { chainPem: "CHAIN", keyPem: "KEY" };

describe("binding certificates to their owners' names", () => {
  it("covers a name exactly, or by a wildcard one label deep", () => {
    expect(coversHostname("school.example", "School.example")).toBe(true);
    expect(coversHostname("*.school.example", "studio.school.example")).toBe(true);
    expect(coversHostname("*.school.example", "school.example")).toBe(false);
    expect(coversHostname("*.school.example", "apps.studio.school.example")).toBe(false);
  });

  it("serves an instance's certificate only for the names that instance serves, and drops one left with none", () => {
    const sites = [site("victim", ["school.example", "studio.school.example"]), site("attacker", ["evil.example", "studio.evil.example"])];
    const bound = bindCertificatesToOwners(
      [
        { instanceId: "attacker", hostnames: ["school.example", "studio.school.example", "evil.example"], ...pem },
        { instanceId: "attacker", hostnames: ["*.school.example"], ...pem },
        { instanceId: "victim", hostnames: ["school.example", "*.school.example"], ...pem },
        { instanceId: "gone", hostnames: ["school.example"], ...pem },
        { instanceId: null, hostnames: ["*.lyceum.example", "school.example"], ...pem },
      ],
      sites,
      "lyceum.example",
    );
    expect(bound.map((certificate) => certificate.hostnames)).toEqual([["evil.example"], ["school.example", "studio.school.example"], ["*.lyceum.example"]]);
  });
});
