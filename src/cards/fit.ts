import { clip } from './limits.js';

/**
 * Teams refuses a bot message over 100 KB, counted in UTF-16 (two bytes a character), with 413
 * MessageSizeTooBig; some of its pages advise staying under 80 KB. A card may take 76 KB, which
 * leaves room for the activity around it (addresses, summary) within that advice.
 */
export const CARD_BUDGET_BYTES = 76 * 1024;

/** How many bytes Teams counts for a JSON value: its serialized UTF-16 code units, two bytes each. */
export function utf16Bytes(value: unknown): number {
  return JSON.stringify(value).length * 2;
}

/** Ever shorter caps for every text of a card whose lists are already down to one entry. */
const TEXT_CAPS = [1000, 300, 100] as const;

type Json = Record<string, unknown> & { body?: unknown };

/**
 * The card `render` makes of `data`, shrunk until it fits `budgetBytes`: first the largest list is
 * cut (repeatedly, in proportion to the excess), and a line at the end says how many entries of
 * each cut list are not shown; then, if a card of one-entry lists is still too large, every text is
 * clipped shorter. Link targets (`…Url`) and the ids in `actionData` are never cut. A card that
 * fits is returned as rendered.
 */
export function fitCard<C extends Json>(data: unknown, render: (data: unknown) => C, budgetBytes = CARD_BUDGET_BYTES): C {
  let card = render(data);
  if (utf16Bytes(card) <= budgetBytes) return card;
  let working = structuredClone(data);
  const cut = new Map<unknown[], number>();
  for (let list = largestList(working); list; list = largestList(working)) {
    const keep = Math.max(1, Math.min(list.length - 1, Math.floor((list.length * budgetBytes) / utf16Bytes(card)) - 1));
    cut.set(list, (cut.get(list) ?? 0) + list.length - keep);
    list.splice(keep);
    card = withOmissions(render(working), [...cut.values()]);
    if (utf16Bytes(card) <= budgetBytes) return card;
  }
  for (const cap of TEXT_CAPS) {
    working = clipTexts(working, cap);
    card = withOmissions(render(working), [...cut.values()]);
    if (utf16Bytes(card) <= budgetBytes) return card;
  }
  return card;
}

/** The largest array in the data (by serialized size) that still has more than one entry, outside `actionData`. */
function largestList(value: unknown): unknown[] | undefined {
  let best: unknown[] | undefined;
  let bestSize = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      if (node.length > 1) {
        const size = JSON.stringify(node).length;
        if (size > bestSize) {
          best = node;
          bestSize = size;
        }
      }
      node.forEach(visit);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) if (key !== 'actionData') visit(child);
    }
  };
  visit(value);
  return best;
}

function clipTexts(value: unknown, cap: number, key = ''): unknown {
  if (typeof value === 'string') return key.endsWith('Url') ? value : clip(value, cap);
  if (Array.isArray(value)) return value.map((item) => clipTexts(item, cap, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'actionData' ? v : clipTexts(v, cap, k)]));
  }
  return value;
}

/** The card with one closing line per cut list, saying how many of its entries are not shown. */
function withOmissions<C extends Json>(card: C, omittedCounts: readonly number[]): C {
  if (!Array.isArray(card.body)) return card;
  for (const count of omittedCounts) {
    card.body.push({ type: 'TextBlock', text: `…and ${count} more, not shown: Teams limits the size of a message.`, isSubtle: true, size: 'Small', wrap: true, separator: true });
  }
  return card;
}
