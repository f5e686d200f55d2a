// A subscription we have on record that the billing provider says does not exist (Stripe: 404 resource_missing).
// Stripe keeps cancelled subscriptions readable, so this is not a cancellation: it is a wrong API key or
// account, or test data deleted. Acting on it would suspend and schedule the deletion of every instance at once,
// so billing never acts on it; the job fails, the instance's log says why, and staff decide.

export class SubscriptionUnknownToProviderError extends Error {
  constructor(
    readonly subscriptionId: string,
    readonly instanceId: string,
  ) {
    super(
      `the billing provider does not know subscription ${subscriptionId} of instance ${instanceId} (not found): ` +
        "nothing was suspended or scheduled for deletion; check the provider's API key and account, then retry the job",
    );
  }
}
