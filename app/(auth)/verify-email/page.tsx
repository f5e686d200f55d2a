import Link from "next/link";
import { verifyEmailToken } from "@/server/accounts/verification";

// Using the link is what verifies: the page does it on load, once (a second visit says the link was used).
export default async function VerifyEmailPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  const { token = "" } = await searchParams;
  const outcome = await verifyEmailToken(token);
  return (
    <>
      <h1>Email confirmation</h1>
      {outcome.isVerified ? (
        <p className="card" role="status">
          {outcome.what === "account" ? "Your email address is confirmed. " : "The contact address is confirmed. "}
          {outcome.instanceId ? (
            <Link href={`/instances/${outcome.instanceId}/setup`}>Back to your registration</Link>
          ) : (
            <Link href="/instances">Go to my instances</Link>
          )}
        </p>
      ) : (
        <p className="card error" role="alert">
          {outcome.message} You can send a new link from <Link href="/instances">My instances</Link>.
        </p>
      )}
    </>
  );
}
