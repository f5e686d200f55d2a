import { describe, expect, it } from "vitest";
import { MINIMAL_ENV as base, OVH_SETTINGS as ovh } from "@/tests/helpers/configuration";
import { parseEnv } from "./env";

describe("billing configuration", () => {
  it("uses the offline billing driver, a 7-day grace period and 30-day retention by default", () => {
    expect(parseEnv(base)).toMatchObject({ BILLING_DRIVER: "local", BILLING_GRACE_PERIOD_DAYS: 7, BILLING_RETENTION_DAYS: 30 });
  });

  it("names every price id and the webhook secret that Stripe needs when STRIPE_SECRET_KEY is set", () => {
    expect(() => parseEnv({ ...base, STRIPE_SECRET_KEY: "sk_test_1", STRIPE_PRICE_STARTER: "price_1" })).toThrow(
      /STRIPE_PRICE_GROWTH[\s\S]*STRIPE_PRICE_SCALE[\s\S]*STRIPE_WEBHOOK_SECRET/,
    );
  });

  it("bills through Stripe once its key, prices and webhook secret are set", () => {
    const config = parseEnv({
      ...base,
      STRIPE_SECRET_KEY: "sk_test_1",
      STRIPE_WEBHOOK_SECRET: "whsec_real",
      STRIPE_PRICE_STARTER: "price_1",
      STRIPE_PRICE_GROWTH: "price_2",
      STRIPE_PRICE_SCALE: "price_3",
      BILLING_GRACE_PERIOD_DAYS: "3",
    });
    expect(config).toMatchObject({ BILLING_DRIVER: "stripe", BILLING_GRACE_PERIOD_DAYS: 3 });
  });
});

describe("compute configuration", () => {
  it("runs instances as local processes by default", () => {
    expect(parseEnv(base).COMPUTE_DRIVER).toBe("local");
  });

  it("stops start-up naming each OVH setting that COMPUTE_DRIVER=ovh is missing", () => {
    const incomplete = Object.fromEntries(Object.entries(ovh).filter(([name]) => name !== "OVH_REGION" && name !== "OVH_SSH_KEY_ID"));
    expect(() => parseEnv({ ...base, ...incomplete })).toThrow(
      /OVH_REGION: is required with COMPUTE_DRIVER=ovh[\s\S]*OVH_SSH_KEY_ID: is required with COMPUTE_DRIVER=ovh/,
    );
    expect(parseEnv({ ...base, ...ovh })).toMatchObject({ COMPUTE_DRIVER: "ovh", OVH_REGION: "GRA11" });
    // Each VM boots with its plan's flavor (looked up by name); OVH_FLAVOR_ID is only a fallback.
    const withoutFallback = Object.fromEntries(Object.entries(ovh).filter(([name]) => name !== "OVH_FLAVOR_ID"));
    expect(parseEnv({ ...base, ...withoutFallback }).OVH_FLAVOR_ID).toBeUndefined();
  });

  // Production start-up refuses these; tests and development drive a loopback OVH double with the local services.
  const production = { NODE_ENV: "production", LYCEUM_UNSAFE_LOCAL_BILLING: "1" };

  it("refuses COMPUTE_DRIVER=ovh without MONGODB_ADMIN_URL in production, saying the course content would be lost with the VM", () => {
    const withoutMongo = Object.fromEntries(Object.entries(ovh).filter(([name]) => name !== "MONGODB_ADMIN_URL"));
    expect(() => parseEnv({ ...base, ...production, ...withoutMongo })).toThrow(/MONGODB_ADMIN_URL: is required with COMPUTE_DRIVER=ovh: .*course content is lost at the next redeploy/);
    // Local compute keeps working without a MongoDB cluster (its sites hold no course content).
    expect(parseEnv(base).MONGODB_ADMIN_URL).toBeUndefined();
  });

  it("refuses COMPUTE_DRIVER=ovh in production with a data service on loopback, which each VM would reach as itself", () => {
    for (const [name, value] of [
      ["MYSQL_ADMIN_URL", "mysql://root@127.0.0.1:3306"],
      ["MONGODB_ADMIN_URL", "mongodb://admin:pw@mongo1.lyceum.example:27017,localhost:27018/?authSource=admin"],
      ["RABBITMQ_AMQP_URL", "amqp://localhost:5672"],
      ["S3_ENDPOINT", "http://[::1]:9000"],
    ]) {
      expect(() => parseEnv({ ...base, ...production, ...ovh, [name!]: value })).toThrow(new RegExp(`${name}: .* is this machine`));
    }
    // The defaults are loopback: COMPUTE_DRIVER=ovh needs each one set.
    const withDefaults = Object.fromEntries(Object.entries(ovh).filter(([name]) => name !== "MYSQL_ADMIN_URL" && name !== "RABBITMQ_AMQP_URL"));
    expect(() => parseEnv({ ...base, ...production, ...withDefaults })).toThrow(/MYSQL_ADMIN_URL: MySQL at 127\.0\.0\.1[\s\S]*RABBITMQ_AMQP_URL: RabbitMQ at 127\.0\.0\.1/);
  });

  it("takes an endpoint name or an https URL, and separate search and cache hosts", () => {
    expect(parseEnv({ ...base, ...ovh, OVH_ENDPOINT: "https://127.0.0.1:8443/1.0" }).OVH_ENDPOINT).toBe("https://127.0.0.1:8443/1.0");
    expect(() => parseEnv({ ...base, ...ovh, OVH_ENDPOINT: "http://api.example" })).toThrow(/OVH_ENDPOINT/);
    expect(() => parseEnv({ ...base, COMPUTE_DRIVER: "aws" })).toThrow(/COMPUTE_DRIVER: must be local or ovh/);
    expect(parseEnv({ ...base, ELASTICSEARCH_HOST: "search.internal:9200", MEMCACHED_HOST: "cache.internal:11211" })).toMatchObject({
      ELASTICSEARCH_HOST: "search.internal:9200",
      MEMCACHED_HOST: "cache.internal:11211",
    });
    expect(() => parseEnv({ ...base, MEMCACHED_HOST: "cache internal" })).toThrow(/MEMCACHED_HOST/);
  });
});

describe("DNS and certificate configuration", () => {
  it("keeps *.localhost records in a local file and self-signs by default", () => {
    expect(parseEnv(base)).toMatchObject({ DNS_DRIVER: "local", dnsZone: "localhost", GANDI_API_URL: "https://api.gandi.net/v5/livedns" });
    expect(parseEnv(base).ACME_DIRECTORY_URL).toBeUndefined();
  });

  it("names what each DNS driver needs, and a zone that does not hold the hosting domain", () => {
    expect(() => parseEnv({ ...base, LYCEUM_BASE_DOMAIN: "lyceum.example" })).toThrow(/DNS_DRIVER: the local DNS driver serves \*\.localhost only/);
    expect(() => parseEnv({ ...base, DNS_DRIVER: "gandi" })).toThrow(/GANDI_TOKEN: is required with DNS_DRIVER=gandi/);
    expect(() => parseEnv({ ...base, DNS_DRIVER: "challtestsrv" })).toThrow(/CHALLTESTSRV_URL: is required with DNS_DRIVER=challtestsrv/);
    expect(() => parseEnv({ ...base, LYCEUM_BASE_DOMAIN: "edu.lyceum.example", DNS_ZONE: "other.example", DNS_DRIVER: "gandi", GANDI_TOKEN: "t" })).toThrow(
      /DNS_ZONE: other.example does not contain LYCEUM_BASE_DOMAIN \(edu.lyceum.example\)/,
    );
    expect(parseEnv({ ...base, LYCEUM_BASE_DOMAIN: "edu.lyceum.example", DNS_ZONE: "lyceum.example", DNS_DRIVER: "gandi", GANDI_TOKEN: "t" }).dnsZone).toBe(
      "lyceum.example",
    );
  });
});

describe("load balancer configuration", () => {
  it("has no load balancer by default, so each local site server is its own front door", () => {
    expect(parseEnv(base)).toMatchObject({ LOAD_BALANCER_DRIVER: "none", HAPROXY_HTTP_PORT: 8080, HAPROXY_HTTPS_PORT: 8443 });
  });

  it("needs the Consul agent's address to publish through Consul", () => {
    expect(() => parseEnv({ ...base, LOAD_BALANCER_DRIVER: "consul" })).toThrow(/CONSUL_URL: is required with LOAD_BALANCER_DRIVER=consul/);
    expect(parseEnv({ ...base, LOAD_BALANCER_DRIVER: "consul", CONSUL_URL: "http://127.0.0.1:8500" })).toMatchObject({ CONSUL_KV_PREFIX: "lyceum/load-balancer" });
  });

  it("reads a Consul-fed cluster's load from the stats pages the nodes serve, behind a password", () => {
    const consul = { ...base, LOAD_BALANCER_DRIVER: "consul", CONSUL_URL: "http://127.0.0.1:8500" };
    const password = "a-long-stats-password-01";
    expect(() => parseEnv({ ...consul, HAPROXY_STATS_BIND: "0.0.0.0:8404" })).toThrow(/HAPROXY_STATS_PASSWORD: is required with HAPROXY_STATS_BIND/);
    expect(() => parseEnv({ ...consul, HAPROXY_STATS_BIND: "0.0.0.0:8404", HAPROXY_STATS_PASSWORD: "short" })).toThrow(/HAPROXY_STATS_PASSWORD.*16 to 200/);
    expect(() => parseEnv({ ...consul, HAPROXY_STATS_URLS: "http://10.0.0.2:8404/stats" })).toThrow(/HAPROXY_STATS_URLS: is read with LOAD_BALANCER_DRIVER=consul and HAPROXY_STATS_BIND only/);
    expect(() => parseEnv({ ...consul, HAPROXY_STATS_BIND: "0.0.0.0:8404", HAPROXY_STATS_PASSWORD: password, HAPROXY_STATS_URLS: "10.0.0.2:8404" })).toThrow(/HAPROXY_STATS_URLS/);
    expect(
      parseEnv({ ...consul, HAPROXY_STATS_BIND: "0.0.0.0:8404", HAPROXY_STATS_PASSWORD: password, HAPROXY_STATS_URLS: "http://10.0.0.2:8404/stats, http://10.0.0.3:8404/stats" }),
    ).toMatchObject({ HAPROXY_STATS_URLS: ["http://10.0.0.2:8404/stats", "http://10.0.0.3:8404/stats"], SCALE_IN_DRAIN_SECONDS: 120 });
  });
});
