import Link from "next/link";
import { requireInstance, requireUser } from "@/server/auth/guards";
import { RetryCheckoutButton } from "./retry-checkout-button";

/** Where Stripe Checkout sends the browser when the client backs out. Nothing was charged. */
export default async function CheckoutCancelledPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/checkout/${id}/cancelled`);
  const instance = await requireInstance(user, id, { role: "billing", staff: false });
  return (
    <div className="card stack max-w-lg">
      <h1>Checkout cancelled</h1>
      <p>Nothing was charged. {instance.name} keeps its subdomain {instance.subdomain} while you decide.</p>
      {instance.status === "awaiting_payment" ? <RetryCheckoutButton instanceId={instance.id} /> : null}
      <p>
        <Link href="/instances">Back to your instances</Link>
      </p>
    </div>
  );
}
