/**
 * How much of one value from a customer tenant a card shows. The alert email is rendered from the
 * same card data, so it is clipped by the same limits. Defender's own values are far shorter
 * (titles under ~150 characters); these bound what a hostile or broken tenant could send.
 */
export const TEXT_LIMITS = {
  /** Any one string on a card, whatever it is: the last line of defence. */
  anyText: 4000,
  /** An alert's title. */
  title: 300,
  /** One fact's value (owner, category, source, techniques…). */
  field: 300,
  /** One entry of a listed value (a device, a user, a file). */
  listEntry: 200,
  description: 600,
  commandLine: 300,
  comment: 300,
} as const;

/** `text` cut to at most `max` characters, marked with an ellipsis, never splitting a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
