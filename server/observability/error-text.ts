// Error text from drivers is stored (step rows, operations, the event log, certificate problems, reconcile
// reports) and shown to people: a driver that quotes a whole HTML error page or a megabyte of output must not
// fill the database or the page. What is kept is the start, which is where drivers put the cause.

/** The most of any one error text Lyceum stores, in UTF-8 bytes. */
const MAX_ERROR_TEXT_BYTES = 8 * 1024;

/**
 * `text` when it fits in `maxBytes` UTF-8 bytes; otherwise its start followed by a marker saying how much was
 * cut, the whole at most `maxBytes` bytes. Never splits a character.
 */
export function truncateErrorText(text: string, maxBytes = MAX_ERROR_TEXT_BYTES): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  const marker = ` … [error text cut: ${bytes.length} bytes, the first ${maxBytes} kept]`;
  let end = Math.max(0, maxBytes - Buffer.byteLength(marker));
  // Back up to the start of a character: continuation bytes are 10xxxxxx.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString("utf8")}${marker}`;
}
