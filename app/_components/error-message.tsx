// An error said to the user beside what caused it, announced by screen readers; nothing when there is none.
import type { ReactNode } from "react";

export function ErrorMessage({ id, children }: { id?: string; children?: ReactNode }) {
  if (children === null || children === undefined || children === false || children === "") return null;
  return (
    <p id={id} className="error" role="alert">
      {children}
    </p>
  );
}
