import { UsageError } from '../errors.js';
import { GUID_PATTERN, isConversationId } from '../text/ids.js';
import { splitList } from './rule-vocabulary.js';

/**
 * The words of a rule's escalation: `escalate:15m[,60m]` (when a still unowned, new alert is
 * followed up) and `escalate-to:@person,…[,channel]` (whom the follow-up mentions, and where it goes
 * instead of the card's thread). Only the words are checked here; people and channels are looked
 * up when the rule is saved.
 */

/** At most this many levels: a first follow-up and one more. */
export const MAX_ESCALATION_LEVELS = 2;
/** The shortest and longest wait before a follow-up, in minutes. */
export const MIN_ESCALATION_MINUTES = 1;
export const MAX_ESCALATION_MINUTES = 7 * 24 * 60;
/** The most people one follow-up mentions. */
export const MAX_ESCALATION_PEOPLE = 10;

/** A person named in `escalate-to:`: an Entra object id, with the name an @mention showed. */
export interface EscalationPersonInput {
  readonly objectId: string;
  readonly displayName?: string;
}

/** `escalate-to:` as typed: people to mention and at most one channel (its name, id or `here`). */
export interface EscalateToInput {
  readonly people: readonly EscalationPersonInput[];
  readonly channel?: string;
}

/** The word a chat @mention becomes in rule options: `@` and the person's Entra object id. */
export function mentionWord(objectId: string): string {
  return `@${objectId}`;
}

/** The word an @mention whose object id Teams did not give becomes; refused with a clear reason. */
export function unresolvedMentionWord(displayName: string): string {
  return `@?${displayName}`;
}

const OFF = new Set(['off', 'none', 'no']);
const UNITS: Readonly<Record<string, number>> = { m: 1, min: 1, mins: 1, minute: 1, minutes: 1, h: 60, hr: 60, hour: 60, hours: 60, d: 1440, day: 1440, days: 1440 };

/** `escalate:` — one or two waits (`15m`, `2h`, `1d`), the second longer than the first; `off` (null) removes it. */
export function escalationLevelsOf(value: string, key = 'escalate'): number[] | null {
  if (OFF.has(value.trim().toLowerCase())) return null;
  const words = splitList(value);
  if (words.length === 0) throw new UsageError(`${key}: give how long an alert may stay new and unowned, e.g. ${key}:15m or ${key}:15m,60m.`);
  if (words.length > MAX_ESCALATION_LEVELS) throw new UsageError(`${key}: at most ${MAX_ESCALATION_LEVELS} levels (a first follow-up and a second), e.g. ${key}:15m,60m; "${clip(value)}" has ${words.length}.`);
  const minutes = words.map((word) => minutesOf(word, key));
  const [first, second] = minutes;
  if (first !== undefined && second !== undefined && second <= first) {
    throw new UsageError(`${key}: the second level (${words[1]}) must come after the first (${words[0]}): it follows up an alert still unowned after the first.`);
  }
  return minutes;
}

function minutesOf(word: string, key: string): number {
  const m = /^(\d{1,6})\s*([a-z]*)$/i.exec(word.trim());
  const unit = m ? UNITS[(m[2] || '').toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new UsageError(`${key}: "${clip(word)}" is not a duration. Use minutes, hours or days: 15m, 2h, 1d (from ${MIN_ESCALATION_MINUTES}m to 7d).`);
  }
  const minutes = Number(m[1]) * unit;
  if (minutes < MIN_ESCALATION_MINUTES || minutes > MAX_ESCALATION_MINUTES) {
    throw new UsageError(`${key}: "${clip(word)}" is out of range: an escalation waits from ${MIN_ESCALATION_MINUTES}m to 7d.`);
  }
  return minutes;
}

/**
 * `escalate-to:` — people by @mention or Entra object id (comma-separated), and at most one channel
 * (`here`, a linked channel's name or its conversation id) the follow-up goes to. `none` (null)
 * removes them.
 */
export function escalateToOf(value: string, key = 'escalate-to'): EscalateToInput | null {
  if (OFF.has(value.trim().toLowerCase())) return null;
  const people: EscalationPersonInput[] = [];
  let channel: string | undefined;
  for (const item of splitList(value)) {
    if (item.startsWith('@?')) {
      throw new UsageError(`${key}: I could not look up the Entra object id of @${clip(item.slice(2))}. Give their object id instead (they can find it with "whoami").`);
    }
    const id = item.startsWith('@') ? item.slice(1) : item;
    if (GUID_PATTERN.test(id)) {
      if (!people.some((p) => p.objectId === id.toLowerCase())) people.push({ objectId: id.toLowerCase() });
      continue;
    }
    if (!isConversationId(item) && item.includes('@')) {
      throw new UsageError(`${key}: "${clip(item)}" is not someone I can mention: @mention them (pick them from Teams' list) or give their Entra object id (a GUID; "whoami" shows it).`);
    }
    if (channel !== undefined) throw new UsageError(`${key}: name at most one channel ("${clip(channel)}" and "${clip(item)}"); people are @mentioned or given by Entra object id.`);
    channel = item;
  }
  if (people.length === 0 && channel === undefined) throw new UsageError(`${key}: name the people to mention (@mention them) and/or a channel, e.g. ${key}:@Megan,"SOC escalations".`);
  if (people.length > MAX_ESCALATION_PEOPLE) throw new UsageError(`${key}: at most ${MAX_ESCALATION_PEOPLE} people per rule.`);
  return channel === undefined ? { people } : { people, channel };
}

/** `15m`, `2h`, `90m`, `1d`: a wait as `escalate:` takes it. */
export function durationWord(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
