/** Words a company name often ends with that say nothing about which company it is. */
const LEGAL_SUFFIXES = new Set(['ltd', 'limited', 'inc', 'incorporated', 'llc', 'llp', 'plc', 'corp', 'corporation', 'co', 'company', 'gmbh', 'ag', 'sa', 'sas', 'srl', 'bv', 'nv', 'oy', 'ab', 'as', 'pty', 'kg']);
/** Words a handle may not be, because commands give them a meaning of their own. */
const RESERVED = new Set(['all']);
const MAX_LENGTH = 40;

/**
 * A short command handle from a customer's name: lower case ASCII words joined by hyphens, legal
 * suffixes dropped ("Tailspin Toys Ltd" → "tailspin-toys"), made unique with -2, -3… When the name
 * has no usable letters, the domain's first label stands in.
 */
export function deriveHandle(displayName: string, fallback: string, taken: (handle: string) => boolean): string {
  const base = slug(displayName) || slug(fallback.split('.')[0] ?? '') || 'customer';
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '' : `-${n}`;
    const candidate = `${base.slice(0, MAX_LENGTH - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!RESERVED.has(candidate) && !taken(candidate)) return candidate;
  }
}

function slug(text: string): string {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1] ?? '')) words.pop();
  return words.join('-').slice(0, MAX_LENGTH).replace(/-+$/, '');
}
