import { UsageError } from '../errors.js';
import { checkTimeZone } from '../summaries/local-time.js';
import { commandSpec } from './catalog.js';
import type { CommandOf } from './command.js';

const TIME = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** `summary daily HH:MM [timezone] [tenant…]` or `summary off`. */
export function parseSummaryArgs(words: readonly string[], tenantOf: (word: string) => string): CommandOf<'summary'> {
  const [mode, ...rest] = words;
  const usage = commandSpec('summary').usage;
  if (!mode) throw new UsageError(`Say when, or "off": ${usage}`);
  if (mode.toLowerCase() === 'off') {
    if (rest.length > 0) throw new UsageError('"summary off" takes nothing after it: it stops this conversation\'s daily summary.');
    return { name: 'summary', schedule: 'off' };
  }
  if (mode.toLowerCase() !== 'daily') throw new UsageError(`"${mode.slice(0, 40)}" is not a schedule: summaries are "daily HH:MM [timezone]", or "off". ${usage}`);
  const [timeWord, ...after] = rest;
  const time = timeWord ? TIME.exec(timeWord) : null;
  if (!timeWord || !time) throw new UsageError(`${timeWord ? `"${timeWord.slice(0, 20)}" is not a time of day.` : 'Give the time of day.'} Use 24-hour HH:MM, e.g. "summary daily 07:30 Europe/Berlin".`);
  // A time zone has a slash (Europe/Berlin) or is a plain zone name (UTC); customer handles have neither slash nor that meaning.
  const zoneWord = after[0] !== undefined && (after[0].includes('/') || isPlainZone(after[0])) ? after[0] : undefined;
  const timeZone = zoneWord === undefined ? 'UTC' : checkTimeZone(zoneWord);
  const tenants = (zoneWord === undefined ? after : after.slice(1)).map(tenantOf);
  return { name: 'summary', schedule: 'daily', time: `${(time[1] ?? '').padStart(2, '0')}:${time[2] ?? '00'}`, timeZone, tenants };
}

function isPlainZone(word: string): boolean {
  if (!/^[A-Za-z]{2,5}$/.test(word)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: word });
    return true;
  } catch {
    return false;
  }
}
