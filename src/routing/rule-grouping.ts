import { UsageError } from '../errors.js';

/**
 * How a rule groups what it sends (`group:`) and how often within an incident (`notify:`).
 * `group:incident` posts one incident card per incident in a channel and every later alert of it
 * in that card's thread; `group:alert` posts one card per alert. `notify:first` sends only the
 * first alert of each incident (the incident card), as Defender's incident email rules offer.
 */

export const GROUPINGS = ['incident', 'alert'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export const NOTIFY_MODES = ['every', 'first'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

/** What a rule typed from now on groups by when it says nothing. */
export const DEFAULT_GROUPING: Grouping = 'incident';
/**
 * What a rule saved before grouping existed (and the built-in default rule) groups by: one card
 * per alert, as it always has, until someone edits it with `group:`.
 */
export const EARLIER_GROUPING: Grouping = 'alert';
export const DEFAULT_NOTIFY: NotifyMode = 'every';

const GROUPING_WORDS: Readonly<Record<string, Grouping>> = { incident: 'incident', incidents: 'incident', alert: 'alert', alerts: 'alert' };
const NOTIFY_WORDS: Readonly<Record<string, NotifyMode>> = { every: 'every', all: 'every', each: 'every', first: 'first', once: 'first' };

/**
 * `group:incident|alert`. Before grouping existed, `group:` was another spelling of `groups:`
 * (device groups): a value that is not a grouping is answered with where device groups went.
 */
export function groupingOf(value: string, key = 'group'): Grouping {
  const found = GROUPING_WORDS[value.trim().toLowerCase()];
  if (found) return found;
  throw new UsageError(
    `${key}: "${clip(value)}" is not a grouping. ${key}: says how alerts are grouped: incident (one card per incident, later alerts as replies in its thread) or alert (one card per alert). For device groups use groups:${quoted(value)}.`,
  );
}

/** `notify:every|first`. */
export function notifyOf(value: string, key = 'notify'): NotifyMode {
  const found = NOTIFY_WORDS[value.trim().toLowerCase()];
  if (found) return found;
  throw new UsageError(`${key}: "${clip(value)}" is not a notify mode. Use every (each alert of an incident) or first (only the first alert of each incident: its incident card).`);
}

function quoted(value: string): string {
  const text = value.trim();
  return /[\s,]/.test(text) && !text.startsWith('"') ? `"${text}"` : text;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
