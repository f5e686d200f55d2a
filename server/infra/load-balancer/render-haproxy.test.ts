import { describe, expect, it } from "vitest";
import { InvalidLoadBalancerStateError, renderHaproxy } from "./render-haproxy";
import type { LoadBalancedSite, LoadBalancerState } from "./state";

const A = "0a0a0a0a-0000-4000-8000-000000000001";
const B = "0b0b0b0b-0000-4000-8000-000000000002";
const PEM = { chainPem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", keyPem: "-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----" };
const options = { configDir: "/lb/configs/g1", certDir: "/lb/certs", adminSocket: "/lb/admin.sock" };

function state(sites: LoadBalancedSite[], extra: Partial<LoadBalancerState> = {}): LoadBalancerState {
  return { httpBind: "127.0.0.1:8080", httpsBind: "127.0.0.1:8443", portalAddress: "127.0.0.1:3000", sites, certificates: [], defaultCertificate: PEM, ...extra };
}

describe("rendering HAProxy's files from the load balancer state", () => {
  it("maps every hostname to its backend or page, sorted, and gives only serving instances a backend", () => {
    const rendered = renderHaproxy(
      state([
        { instanceId: B, hostnames: ["b.test", "studio.b.test"], backendAddresses: ["127.0.0.1:9002"], mode: "serving" },
        { instanceId: A, hostnames: ["a.test"], backendAddresses: ["127.0.0.1:9001"], mode: "maintenance" },
      ]),
      options,
    );
    expect(rendered.files["hosts.map"]).toBe(`a.test be_maintenance\nb.test be_site_${B}\nstudio.b.test be_site_${B}\n`);
    expect(rendered.files["haproxy.cfg"]).toContain(`backend be_site_${B}\n  option httpchk GET /heartbeat`);
    expect(rendered.files["haproxy.cfg"]).toContain("server app1 127.0.0.1:9002 check");
    expect(rendered.files["haproxy.cfg"]).not.toContain(`be_site_${A}`);
    expect(rendered.files["haproxy.cfg"]).toContain("use_backend be_portal if { path_beg /.well-known/acme-challenge/ }");
    expect(rendered.summary).toBe("1 serving, 1 in maintenance, 0 being prepared; 0 certificate(s)");
  });

  it("is deterministic, so an unchanged state is recognised", () => {
    const sites: LoadBalancedSite[] = [{ instanceId: A, hostnames: ["a.test"], backendAddresses: [], mode: "preparing" }];
    expect(renderHaproxy(state(sites), options)).toEqual(renderHaproxy(state(sites), options));
  });

  it("lists each certificate with its SNI names, content-addressed, after the default one", () => {
    const rendered = renderHaproxy(state([], { certificates: [{ hostnames: ["a.test", "*.a.test"], chainPem: "CHAIN", keyPem: "KEY" }] }), options);
    const [line] = rendered.files["crt-list.txt"]!.trim().split("\n");
    expect(line).toMatch(/^\/lb\/certs\/[0-9a-f]{32}\.pem a\.test \*\.a\.test$/);
    expect(Object.values(rendered.certificates)).toContain("CHAIN\nKEY\n");
    expect(Object.keys(rendered.certificates)).toHaveLength(2);
  });

  it("refuses names and addresses that would inject configuration", () => {
    const site = (patch: Partial<LoadBalancedSite>): LoadBalancedSite => ({ instanceId: A, hostnames: ["a.test"], backendAddresses: ["127.0.0.1:9001"], mode: "serving", ...patch });
    expect(() => renderHaproxy(state([site({ hostnames: ["a.test be_portal\nevil.test"] })]), options)).toThrow(InvalidLoadBalancerStateError);
    expect(() => renderHaproxy(state([site({ backendAddresses: ["127.0.0.1:9002", "127.0.0.1:9001\n  server x 6.6.6.6:80"] })]), options)).toThrow(/backend address/);
    expect(() => renderHaproxy(state([site({ backendAddresses: [] })]), options)).toThrow(/serving but has no backend address/);
    expect(() => renderHaproxy(state([site({}), site({ instanceId: B })]), options)).toThrow(/a\.test is claimed by two sites/);
    expect(() => renderHaproxy(state([], { certificates: [{ hostnames: ["a.test x"], chainPem: "C", keyPem: "K" }] }), options)).toThrow(/certificate's hostname/);
  });

  it("serves the stats page every node is read and drained through only when asked, behind its password", () => {
    expect(renderHaproxy(state([]), options).files["haproxy.cfg"]).not.toContain("fe_stats");
    const config = renderHaproxy(state([], { stats: { bind: "0.0.0.0:8404", password: "sixteen-chars-ok" } }), options).files["haproxy.cfg"]!;
    expect(config).toContain(
      "frontend fe_stats\n  bind 0.0.0.0:8404\n  stats enable\n  stats uri /stats\n  stats auth lyceum:sixteen-chars-ok\n  stats admin if TRUE\n  stats show-legends\n  http-after-response set-header x-haproxy-pid %pid\n",
    );
    expect(() => renderHaproxy(state([], { stats: { bind: "0.0.0.0:8404", password: "a password with\n  stats admin if TRUE" } }), options)).toThrow(/stats password/);
    expect(() => renderHaproxy(state([], { stats: { bind: "0.0.0.0:8404 ssl", password: "sixteen-chars-ok" } }), options)).toThrow(/stats bind address/);
  });
});
