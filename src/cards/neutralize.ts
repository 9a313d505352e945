import { clip, TEXT_LIMITS } from './limits.js';

/**
 * Everything on a card is neutralized before it is rendered: Markdown link syntax, autolinks and
 * HTML-looking tags are broken with an invisible zero-width space, so a hostile title cannot render
 * as a disguised link and a `<tenant>` placeholder in our own help is not taken for a tag (Teams'
 * Markdown renderer drops what it reads as HTML); and `${` cannot be read as a template
 * expression by anything that templates the card later. Readers see the same text.
 */
const ZERO_WIDTH_SPACE = '\u200b';

/**
 * A `<` that CommonMark would read as the start of an autolink (`<https:`, `<bob@x>`) or of raw
 * HTML: an opening or closing tag (`<tenant>`, `<alert-id>`, `<a href`, `</b>`), a comment or
 * declaration (`<!`), a processing instruction (`<?`).
 */
const MARKUP_START = /<(?=[a-z][a-z0-9+.-]*:|[^\s<>]+@[^\s<>]+>|\/?[a-z][a-z0-9-]*(?:[\s/>]|$)|[!?])/gi;

export function neutralizeText(text: string): string {
  return clip(text, TEXT_LIMITS.anyText)
    .replace(/\](\s*)\(/g, `]${ZERO_WIDTH_SPACE}$1(`)
    .replace(/\](\s*)\[/g, `]${ZERO_WIDTH_SPACE}$1[`)
    .replace(MARKUP_START, `<${ZERO_WIDTH_SPACE}`)
    .replace(/\$\{/g, `$${ZERO_WIDTH_SPACE}{`);
}

/** A link target we put on a card: only absolute http(s) URLs survive. */
export function safeUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Neutralizes every string in card data. Keys ending in `Url` must hold safe links (others are
 * dropped); the `actionData` subtree carries ids back to the bot and is only protected against
 * template expressions, since its values are never displayed.
 */
export function neutralizeCardData(value: unknown, key = ''): unknown {
  if (key === 'mentions' && Array.isArray(value)) return value.map(mentionEntity);
  if (key === 'mentionLine' && typeof value === 'string' && MENTION_LINE.test(value)) return value;
  if (typeof value === 'string') {
    if (key.endsWith('Url')) return safeUrl(value) ?? '';
    return neutralizeText(value);
  }
  if (Array.isArray(value)) return value.map((item) => neutralizeCardData(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === 'actionData' ? protectTemplates(v) : neutralizeCardData(v, k);
    }
    return out;
  }
  return value;
}

function protectTemplates(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{/g, `$${ZERO_WIDTH_SPACE}{`);
  if (Array.isArray(value)) return value.map(protectTemplates);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, protectTemplates(v)]));
  }
  return value;
}

/**
 * A Teams mention's markup: `<at>Name</at>`, with the characters Markdown or the markup itself
 * would read (links, autolinks, emphasis, tags) taken out of the name. The entity's `text` must equal the markup in the card's text.
 */
export function mentionMarkup(name: string): string {
  const safe = clip(name, TEXT_LIMITS.field).replace(/[<>[\]()*_~`#|:\\]|\$\{/g, '').replace(/\s+/g, ' ').trim();
  return `<at>${safe || 'someone'}</at>`;
}

/** Mentions one after another (`<at>A</at>, <at>B</at>`): the one text that keeps its markup. */
const MENTION_LINE = /^<at>[^<>]*<\/at>(, <at>[^<>]*<\/at>)*$/;

/** Card data's `mentions` become Teams mention entities, their text rebuilt from the name so it matches the card's. */
function mentionEntity(value: unknown): unknown {
  const mentioned = (value as { mentioned?: { id?: unknown; name?: unknown } } | null)?.mentioned;
  const id = typeof mentioned?.id === 'string' ? protectTemplates(mentioned.id) : '';
  const name = typeof mentioned?.name === 'string' ? mentioned.name : '';
  const text = mentionMarkup(name);
  return { type: 'mention', text, mentioned: { id, name: text.slice(4, -5) } };
}
