import { UsageError } from '../errors.js';
import { SEVERITY_WORDS, STATUS_WORDS, sourceOf, type AlertFilter } from '../alerts/alert-filter.js';

export const DEFAULT_TOP = 10;
export const MAX_TOP = 50;
const MAX_SINCE_MS = 180 * 24 * 3600 * 1000;

export const ALERT_OPTION_KEYS = ['severity', 'status', 'source', 'since', 'top'] as const;

/** Reads `key:value` options (`severity:high,medium status:new source:endpoint since:24h top:20`). */
export function parseAlertOptions(words: readonly string[], allowed: readonly (typeof ALERT_OPTION_KEYS)[number][] = ALERT_OPTION_KEYS): { filter: AlertFilter; top: number } {
  const filter: { -readonly [K in keyof AlertFilter]: AlertFilter[K] } = {};
  let top = DEFAULT_TOP;
  const seen = new Set<string>();
  for (const word of words) {
    const colon = word.indexOf(':');
    const key = (colon === -1 ? word : word.slice(0, colon)).toLowerCase();
    const value = colon === -1 ? '' : word.slice(colon + 1);
    if (!(allowed as readonly string[]).includes(key)) {
      throw new UsageError(`"${word.slice(0, 60)}" is not an option here. Options: ${allowed.map((k) => `${k}:…`).join(', ')}.`);
    }
    if (seen.has(key)) throw new UsageError(`"${key}:" is given twice; list several values with commas instead, e.g. ${key}:a,b.`);
    seen.add(key);
    if (value === '') throw new UsageError(`"${key}:" needs a value, e.g. ${example(key)}.`);
    if (key === 'severity') filter.severities = listOf(value, SEVERITY_WORDS, 'severity', 'high, medium, low, informational');
    else if (key === 'status') filter.statuses = value.toLowerCase() === 'any' || value.toLowerCase() === 'all' ? [] : listOf(value, STATUS_WORDS, 'status', 'new, inProgress, resolved, any');
    else if (key === 'source') filter.sources = value.split(',').map(sourceOf);
    else if (key === 'since') Object.assign(filter, sinceOf(value));
    else top = topOf(value);
  }
  return { filter, top };
}

/** Comma-separated words, each looked up in `words`; an unknown one is refused with the allowed ones. */
export function listOf<T>(value: string, words: Readonly<Record<string, T>>, what: string, allowed: string): T[] {
  const out: T[] = [];
  for (const part of value.split(',')) {
    const match = words[part.trim().toLowerCase()];
    if (match === undefined) throw new UsageError(`"${part.slice(0, 40)}" is not a ${what}. Use one or more of: ${allowed} (comma-separated).`);
    if (!out.includes(match)) out.push(match);
  }
  return out;
}

/** `24h`, `7d`… as milliseconds and the label to show. */
export function sinceOf(value: string): { sinceMs: number; sinceLabel: string } {
  const match = /^(\d{1,4})([mhdw])$/i.exec(value.trim());
  if (!match) throw new UsageError(`"since:${value.slice(0, 20)}" is not a duration. Use a number and m, h, d or w, e.g. since:24h or since:7d.`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[(match[2] ?? 'h').toLowerCase() as 'm' | 'h' | 'd' | 'w'];
  const ms = Number(match[1]) * unit;
  if (ms <= 0 || ms > MAX_SINCE_MS) throw new UsageError('"since:" must be more than 0 and at most 180d (Defender keeps alerts for 180 days).');
  return { sinceMs: ms, sinceLabel: value.toLowerCase() };
}

/** A page size from 1 to `max`. */
export function topOf(value: string, max = MAX_TOP): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`"top:${value.slice(0, 20)}" must be a whole number from 1 to ${max}.`);
  return n;
}

function example(key: string): string {
  return { severity: 'severity:high,medium', status: 'status:new', source: 'source:endpoint', since: 'since:24h', top: 'top:20' }[key] ?? `${key}:…`;
}
