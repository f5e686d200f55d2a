// A card on a staff page: a heading, then a table of rows, or one sentence when there are none.
import type { ReactNode } from "react";

type Props = {
  /** The heading; it also names the section (a region) and the table for screen readers and tests. */
  title: string;
  columns: readonly string[];
  isEmpty: boolean;
  /** Said instead of the table when there are no rows. */
  empty: ReactNode;
  /** Under the heading, before the table. */
  intro?: ReactNode;
  /** After the table. */
  footer?: ReactNode;
  className?: string;
  /** The rows (`<tr>`s). */
  children?: ReactNode;
};

export function TableSection({ title, columns, isEmpty, empty, intro, footer, className = "card", children }: Props) {
  const headingId = `${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-heading`;
  return (
    <section className={className} aria-labelledby={headingId}>
      <h2 id={headingId} className="mt-0">
        {title}
      </h2>
      {intro}
      {isEmpty ? (
        <p>{empty}</p>
      ) : (
        <div className="table-scroll" tabIndex={0}>
          <table className="data" aria-label={title}>
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>{children}</tbody>
          </table>
        </div>
      )}
      {footer}
    </section>
  );
}
