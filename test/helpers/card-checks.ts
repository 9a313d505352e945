/**
 * Checks on rendered card JSON for what a reader would see in Teams, without pixels.
 */

/** Every piece of text a card displays (TextBlocks, TextRuns, facts, inputs, choices, button titles), with where it is. */
export function displayedTexts(card: unknown): { where: string; text: string }[] {
  const found: { where: string; text: string }[] = [];
  const walk = (node: unknown, path: string) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value', 'label', 'placeholder', 'errorMessage']) {
      const value = record[key];
      // An input's `value` is what it is filled with; a fact's or a choice's is shown too.
      if (typeof value === 'string') found.push({ where: `${path}.${key}`, text: value });
    }
    for (const [key, value] of Object.entries(record)) {
      if (key === 'data' || key === 'url') continue;
      walk(value, `${path}.${key}`);
    }
  };
  walk(card, '$');
  return found;
}

/**
 * What CommonMark (and so Teams' Markdown renderer) reads as raw HTML or an autolink and does not
 * show as typed: `<tenant>`, `</b>`, `<!--`, `<https://…>`, `<bob@example.com>`.
 */
const RENDERED_AS_MARKUP = /<(?:\/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|[!?]|[A-Za-z][A-Za-z0-9+.-]*:|[^\s<>]+@[^\s<>]+>)/;

/** Texts on the card that the renderer would swallow in part, e.g. `alert <tenant> <alert-id>` shown as `alert`. */
export function textsLostToMarkup(card: unknown): string[] {
  return displayedTexts(card)
    .filter((t) => RENDERED_AS_MARKUP.test(t.text))
    .map((t) => `${t.where}: ${t.text}`);
}
