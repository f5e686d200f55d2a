import Link from "next/link";

/** Previous / next links for a server-paginated list; `hrefFor(page)` keeps the other filters. */
export function Pagination({ page, pageCount, total, noun, hrefFor, label = "Pagination" }: {
  label?: string;
  page: number;
  pageCount: number;
  total: number;
  noun: string;
  hrefFor: (page: number) => string;
}) {
  return (
    <nav aria-label={label} className="flex items-center gap-4 text-sm">
      {page > 1 ? <Link href={hrefFor(page - 1)}>← Previous</Link> : <span className="text-slate-500">← Previous</span>}
      <span>
        Page {page} of {pageCount} · {total.toLocaleString("en-US")} {noun}
      </span>
      {page < pageCount ? <Link href={hrefFor(page + 1)}>Next →</Link> : <span className="text-slate-500">Next →</span>}
    </nav>
  );
}
