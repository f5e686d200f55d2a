import Link from "next/link";

export default function Forbidden() {
  return (
    <div className="card">
      <h1>403 — Not allowed</h1>
      <p>This page is for Lyceum staff only.</p>
      <p>
        <Link href="/instances">Back to your instances</Link>
      </p>
    </div>
  );
}
