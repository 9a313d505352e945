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
      // `msteams` holds mention entities, which Teams does not display.
      if (key === 'data' || key === 'url' || key === 'msteams') continue;
      walk(value, `${path}.${key}`);
    }
  };
  walk(card, '$');
  return found;
}

/**
 * What CommonMark (and so Teams' Markdown renderer) reads as raw HTML or an autolink and does not
 * show as typed: `<tenant>`, `</b>`, `<!--`, `<https://…>`, `<bob@example.com>`. Teams' mention
 * markup (`<at>Name</at>`) is meant: Teams shows the mention in its place.
 */
const RENDERED_AS_MARKUP = /<(?!\/?at>)(?:\/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|[!?]|[A-Za-z][A-Za-z0-9+.-]*:|[^\s<>]+@[^\s<>]+>)/;

/** Texts on the card that the renderer would swallow in part, e.g. `alert <tenant> <alert-id>` shown as `alert`. */
export function textsLostToMarkup(card: unknown): string[] {
  return displayedTexts(card)
    .filter((t) => RENDERED_AS_MARKUP.test(t.text))
    .map((t) => `${t.where}: ${t.text}`);
}

/** WCAG's minimum contrast for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;

type Palette = { background: string; foreground: Record<string, { default: string; subtle: string }> };
type Theme = Record<string, Palette>;

const pastel = (background: string, text: { default: string; subtle: string }, accent: string, good: string, warning: string, attention: string): Palette => ({
  background,
  foreground: { default: text, dark: text, light: { default: '#ffffffff', subtle: '#bfffffff' }, accent: { default: accent, subtle: accent }, good: { default: good, subtle: good }, warning: { default: warning, subtle: warning }, attention: { default: attention, subtle: attention } },
});

/**
 * Teams' colours per container style. Light: the host config of the Microsoft 365 Agents
 * Playground (Teams' light theme). Dark: Teams' dark host config as published in the Adaptive
 * Cards repository (samples/HostConfig/microsoft-teams-dark.json).
 */
export const TEAMS_THEMES: Readonly<Record<'light' | 'dark', Theme>> = {
  light: {
    default: pastel('#ffffff', { default: '#ff252424', subtle: '#bf252424' }, '#6264a7', '#92c353', '#f8d22a', '#c4314b'),
    emphasis: pastel('#fff9f8f7', { default: '#ff252424', subtle: '#bf252424' }, '#6264a7', '#92c353', '#f8d22a', '#c4314b'),
    accent: pastel('#C7DEF9', { default: '#ff252424', subtle: '#bf252424' }, '#6264a7', '#92c353', '#f8d22a', '#c4314b'),
    good: pastel('#CCFFCC', { default: '#ff252424', subtle: '#bf252424' }, '#6264a7', '#92c353', '#f8d22a', '#c4314b'),
    attention: pastel('#FFC5B2', { default: '#ff252424', subtle: '#bf252424' }, '#6264a7', '#92c353', '#f8d22a', '#c4314b'),
    warning: pastel('#FFE2B2', { default: '#ff252424', subtle: '#bf252424' }, '#6264a7', '#92c353', '#f8d22a', '#c4314b'),
  },
  dark: {
    default: pastel('#ff2d2c2c', { default: '#ffffffff', subtle: '#bfffffff' }, '#ffa6a7dc', '#ff92c353', '#fff8d22a', '#ffd74654'),
    emphasis: pastel('#ff292828', { default: '#ffffffff', subtle: '#bfffffff' }, '#ffa6a7dc', '#ff92c353', '#fff8d22a', '#ffd74654'),
    accent: pastel('#C7DEF9', { default: '#ff201f1f', subtle: '#ff2d2c2c' }, '#ffa6a7dc', '#ff92c353', '#fff8d22a', '#ffd74654'),
    good: pastel('#CCFFCC', { default: '#ff201f1f', subtle: '#ff2d2c2c' }, '#ffa6a7dc', '#ff92c353', '#fff8d22a', '#ffd74654'),
    attention: pastel('#FFC5B2', { default: '#ff201f1f', subtle: '#ff2d2c2c' }, '#ffa6a7dc', '#ff92c353', '#fff8d22a', '#ffd74654'),
    warning: pastel('#FFE2B2', { default: '#ff201f1f', subtle: '#ff2d2c2c' }, '#ffa6a7dc', '#ff92c353', '#fff8d22a', '#ffd74654'),
  },
};

/** `#rgb`, `#rrggbb` or Adaptive Cards' `#aarrggbb` as [r, g, b, alpha], alpha in 0..1. */
function parseColor(hex: string): [number, number, number, number] {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const [a, rgb] = full.length === 8 ? [parseInt(full.slice(0, 2), 16) / 255, full.slice(2)] : [1, full];
  return [parseInt(rgb.slice(0, 2), 16), parseInt(rgb.slice(2, 4), 16), parseInt(rgb.slice(4, 6), 16), a];
}

function luminance([r, g, b]: readonly number[]): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
}

/** WCAG contrast ratio of a (possibly translucent) text colour over an opaque background. */
export function contrastRatio(foreground: string, background: string): number {
  const [br, bg, bb] = parseColor(background);
  const [fr, fg, fb, alpha] = parseColor(foreground);
  const blend = (f: number, b: number) => f * alpha + b * (1 - alpha);
  const text = luminance([blend(fr, br), blend(fg, bg), blend(fb, bb)]);
  const back = luminance([br, bg, bb]);
  return (Math.max(text, back) + 0.05) / (Math.min(text, back) + 0.05);
}

/**
 * Every text on the card whose colour, over the background of the container style it sits in,
 * falls below WCAG's 4.5:1 in Teams' light or dark theme. Show cards use the emphasis style, as
 * Teams' host config says.
 */
export function contrastProblems(card: unknown): string[] {
  const problems: string[] = [];
  const check = (node: Record<string, unknown>, style: string, path: string) => {
    if (typeof node.text !== 'string') return;
    const color = String(node.color ?? 'default').toLowerCase();
    const tone = node.isSubtle === true ? 'subtle' : 'default';
    for (const [theme, palette] of Object.entries(TEAMS_THEMES)) {
      const container = palette[style] ?? palette.default!;
      const foreground = container.foreground[color]?.[tone];
      if (!foreground) {
        problems.push(`${path}: unknown colour "${color}"`);
        continue;
      }
      const ratio = contrastRatio(foreground, container.background);
      if (ratio < MIN_TEXT_CONTRAST) problems.push(`${path} (${theme}, ${color}${tone === 'subtle' ? ' subtle' : ''} on ${style}): ${ratio.toFixed(2)}:1 "${node.text.slice(0, 40)}"`);
    }
  };
  const walk = (node: unknown, style: string, path: string) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, style, `${path}[${i}]`));
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const type = record.type;
    const isContainer = typeof type === 'string' && ['Container', 'Column', 'ColumnSet', 'TableCell', 'Table'].includes(type);
    const here = isContainer && typeof record.style === 'string' ? record.style.toLowerCase() : style;
    if (type === 'TextBlock' || type === 'TextRun') check(record, here, path);
    for (const [key, value] of Object.entries(record)) {
      if (key === 'data') continue;
      walk(value, type === 'Action.ShowCard' && key === 'card' ? 'emphasis' : here, `${path}.${key}`);
    }
  };
  walk(card, 'default', '$');
  return problems;
}
