import { describe, expect, it } from "vitest";
import { eventSubject, subscriptionFromStripe, toSubscriptionStatus } from "./stripe-objects";

describe("reading Stripe events", () => {
  it("finds the subscription and instance of a subscription-mode checkout", () => {
    const event = {
      type: "checkout.session.completed",
      data: { object: { mode: "subscription", subscription: "sub_1", client_reference_id: "inst-1", metadata: { instanceId: "inst-1" } } },
    };
    expect(eventSubject(event)).toEqual({ subscriptionId: "sub_1", instanceId: "inst-1" });
  });

  it("ignores a payment-mode checkout", () => {
    expect(eventSubject({ type: "checkout.session.completed", data: { object: { mode: "payment" } } })).toEqual({
      subscriptionId: null,
      instanceId: null,
    });
  });

  it("finds an invoice's subscription in the current API shape and in the one before 2025-03-31", () => {
    const current = { type: "invoice.paid", data: { object: { parent: { subscription_details: { subscription: "sub_2" } } } } };
    const older = { type: "invoice.payment_failed", data: { object: { subscription: "sub_3" } } };
    expect(eventSubject(current).subscriptionId).toBe("sub_2");
    expect(eventSubject(older).subscriptionId).toBe("sub_3");
  });

  it("takes a subscription event's own id", () => {
    expect(eventSubject({ type: "customer.subscription.deleted", data: { object: { id: "sub_4", metadata: { instanceId: "i" } } } })).toEqual({
      subscriptionId: "sub_4",
      instanceId: "i",
    });
  });
});

describe("reading a Stripe subscription", () => {
  it("takes the period end from its item and the customer from an expanded object", () => {
    const subscription = subscriptionFromStripe({
      id: "sub_5",
      status: "trialing",
      customer: { id: "cus_5" },
      metadata: {},
      items: { data: [{ price: { id: "price_local_growth" }, current_period_end: 1_800_000_000 }] },
      trial_end: 1_800_000_000,
      cancel_at_period_end: true,
      canceled_at: null,
      default_payment_method: null,
    });
    expect(subscription).toMatchObject({
      customerId: "cus_5",
      planId: "growth",
      instanceId: null,
      currentPeriodEnd: new Date(1_800_000_000_000),
      cancelAtPeriodEnd: true,
      hasPaymentMethod: false,
    });
  });

  it("refuses a status it does not know rather than guess", () => {
    expect(() => toSubscriptionStatus("on_fire")).toThrow(/Unknown Stripe subscription status/);
  });
});
