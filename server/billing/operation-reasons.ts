// The reasons billing gives the operations it starts: shown in the event log and the staff console, and read back
// when an owner asks to cancel one, to tell them what undoes it instead.
export const BILLING_REASONS = {
  unpaid: "Billing: unpaid after the grace period.",
  subscriptionEnded: "Billing: the subscription ended.",
  retentionOver: "Billing: the retention period after cancellation is over.",
  invoicePaid: "Billing: the unpaid invoice was paid.",
  applyPlan: (planName: string) => `Billing: apply the ${planName} plan.`,
} as const;
