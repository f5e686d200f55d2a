// A ledger entry's details as key/value pairs that wrap within the page: the first few, shortened, and all
// of them in full behind a <details> when there are more or longer ones (raw JSON made the page 2,200 px wide).
const PREVIEW_KEYS = 3;
const PREVIEW_CHARACTERS = 40;

function textOf(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

const shortened = (text: string) => (text.length > PREVIEW_CHARACTERS ? `${text.slice(0, PREVIEW_CHARACTERS - 1)}…` : text);

function Pairs({ entries, isShortened }: { entries: [string, unknown][]; isShortened: boolean }) {
  return (
    <dl className="key-values">
      {entries.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>
            <code>{isShortened ? shortened(textOf(value)) : textOf(value)}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function LedgerDetails({ details }: { details: unknown }) {
  const entries = details && typeof details === "object" ? Object.entries(details) : [];
  if (entries.length === 0) return <>—</>;
  const isWhole = entries.length <= PREVIEW_KEYS && entries.every(([, value]) => textOf(value).length <= PREVIEW_CHARACTERS);
  if (isWhole) return <Pairs entries={entries} isShortened={false} />;
  return (
    <div>
      <Pairs entries={entries.slice(0, PREVIEW_KEYS)} isShortened />
      <details className="key-values-more">
        <summary>All {entries.length} details</summary>
        <Pairs entries={entries} isShortened={false} />
      </details>
    </div>
  );
}
