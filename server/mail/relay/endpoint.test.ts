import { describe, expect, it } from "vitest";
import { parseEnv } from "@/server/env";
import { MINIMAL_ENV, OVH_SETTINGS } from "@/tests/helpers/configuration";
import { mailRelayEndpoint } from "./endpoint";

const endpointOf = (settings: Record<string, string>) => mailRelayEndpoint(parseEnv({ ...MINIMAL_ENV, ...settings }));

describe("the instance mail relay's address", () => {
  it("listens on loopback port 2525 in plain SMTP by default, and VMs are told that address", () => {
    expect(endpointOf({})).toEqual({ listen: { host: "127.0.0.1", port: 2525 }, public: { host: "127.0.0.1", port: 2525 }, tls: "none" });
  });

  it("tells VMs the public host, with the listen port unless it names its own", () => {
    expect(endpointOf({ LYCEUM_MAIL_RELAY_LISTEN: "0.0.0.0:587", LYCEUM_MAIL_RELAY_PUBLIC_HOST: "relay.lyceum.example" }).public).toEqual({ host: "relay.lyceum.example", port: 587 });
    expect(endpointOf({ LYCEUM_MAIL_RELAY_LISTEN: "[::]:2525", LYCEUM_MAIL_RELAY_PUBLIC_HOST: "[2001:db8::5]:587" })).toMatchObject({
      listen: { host: "::", port: 2525 },
      public: { host: "2001:db8::5", port: 587 },
    });
  });

  it("must be told the public host when instances run on OVH, whose VMs cannot reach a loopback address", () => {
    const withoutPublicHost = Object.fromEntries(Object.entries(OVH_SETTINGS).filter(([name]) => name !== "LYCEUM_MAIL_RELAY_PUBLIC_HOST"));
    expect(() => endpointOf(withoutPublicHost)).toThrow(/LYCEUM_MAIL_RELAY_PUBLIC_HOST: is required with COMPUTE_DRIVER=ovh/);
    expect(endpointOf(OVH_SETTINGS).public).toEqual({ host: "relay.lyceum.example", port: 587 });
  });

  it("uses STARTTLS once it has a certificate and key, and refuses one without the other", () => {
    expect(endpointOf({ LYCEUM_MAIL_RELAY_TLS_CERT: "/etc/relay.crt", LYCEUM_MAIL_RELAY_TLS_KEY: "/etc/relay.key" }).tls).toBe("starttls");
    expect(() => endpointOf({ LYCEUM_MAIL_RELAY_TLS_CERT: "/etc/relay.crt" })).toThrow(/LYCEUM_MAIL_RELAY_TLS_CERT and LYCEUM_MAIL_RELAY_TLS_KEY go together/);
  });

  it("refuses a listen address without a usable port, and a public host that is not one", () => {
    for (const listen of ["127.0.0.1", "127.0.0.1:0", "relay:70000"]) {
      expect(() => endpointOf({ LYCEUM_MAIL_RELAY_LISTEN: listen })).toThrow(/LYCEUM_MAIL_RELAY_LISTEN: must be host:port with a port from 1 to 65535/);
    }
    expect(() => endpointOf({ LYCEUM_MAIL_RELAY_PUBLIC_HOST: "relay host" })).toThrow(/LYCEUM_MAIL_RELAY_PUBLIC_HOST: must be a host name or address/);
  });
});
