// The staff area's own navigation. Not an authorisation boundary: every staff page checks the session itself.
import Link from "next/link";
import type { ReactNode } from "react";

const SECTIONS = [
  ["/staff", "Fleet"],
  ["/staff/queue", "Queue"],
  ["/staff/audit", "Audit log"],
  ["/staff/charts", "Charts"],
  ["/staff/billing", "Billing"],
  ["/staff/reconcile", "Reconcile"],
  ["/staff/releases", "Releases"],
] as const;

export default function StaffLayout({ children }: { children: ReactNode }) {
  return (
    <div className="stack">
      <nav aria-label="Staff" className="flex gap-4 border-b border-slate-200 pb-2 text-sm">
        {SECTIONS.map(([href, label]) => (
          <Link key={href} href={href}>
            {label}
          </Link>
        ))}
      </nav>
      {children}
    </div>
  );
}
