// Offered above a new registration: the registrations this client started and left, to pick up instead of
// starting one more.
import Link from "next/link";
import { LocalTime } from "@/app/_components/local-time";
import type { PublicInstance } from "@/server/instances/draft-view";
import { WIZARD_STEPS } from "@/server/instances/wizard-steps";

const stepTitle = (step: PublicInstance["wizardStep"]) => WIZARD_STEPS.find((candidate) => candidate.id === step)?.title ?? step;

export function UnfinishedDrafts({ drafts }: { drafts: PublicInstance[] }) {
  if (drafts.length === 0) return null;
  return (
    <section className="notice mb-6" aria-labelledby="unfinished-heading">
      <h2 id="unfinished-heading" className="mt-0">
        Continue a registration you started?
      </h2>
      <ul className="stack">
        {drafts.map((draft) => (
          <li key={draft.id}>
            <Link href={`/instances/${draft.id}/setup`}>Continue “{draft.name}”</Link>{" "}
            <span className="hint">
              at step {stepTitle(draft.wizardStep)}, last saved <LocalTime value={draft.updatedAt} />
            </span>
          </li>
        ))}
      </ul>
      <p className="hint">Or start a new one below.</p>
    </section>
  );
}
