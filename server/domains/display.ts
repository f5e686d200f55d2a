import { domainToUnicode } from "node:url";

/** How a stored (punycode) domain is shown to people: in Unicode. */
export function displayDomain(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}
