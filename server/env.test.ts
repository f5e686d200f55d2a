import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const base = {
  DATABASE_URL: "postgres://localhost/lyceum",
  AUTH_SECRET: "x".repeat(32),
  LYCEUM_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

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

describe("load balancer configuration", () => {
  it("has no load balancer by default, so each local site server is its own front door", () => {
    expect(parseEnv(base)).toMatchObject({ LOAD_BALANCER_DRIVER: "none", HAPROXY_HTTP_PORT: 8080, HAPROXY_HTTPS_PORT: 8443 });
  });

  it("needs the Consul agent's address to publish through Consul", () => {
    expect(() => parseEnv({ ...base, LOAD_BALANCER_DRIVER: "consul" })).toThrow(/CONSUL_URL: is required with LOAD_BALANCER_DRIVER=consul/);
    expect(parseEnv({ ...base, LOAD_BALANCER_DRIVER: "consul", CONSUL_URL: "http://127.0.0.1:8500" })).toMatchObject({ CONSUL_KV_PREFIX: "lyceum/load-balancer" });
  });
});
