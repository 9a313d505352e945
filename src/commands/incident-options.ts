import { SEVERITY_WORDS } from '../alerts/alert-filter.js';
import { UsageError } from '../errors.js';
import { INCIDENT_STATUS_WORDS, type IncidentFilter } from '../incidents/incident-filter.js';
import { DEFAULT_TOP, listOf, sinceOf, topOf } from './alert-options.js';

const KEYS = ['severity', 'status', 'since', 'assigned', 'top'] as const;
const EXAMPLES: Readonly<Record<(typeof KEYS)[number], string>> = {
  severity: 'severity:high,medium',
  status: 'status:active',
  since: 'since:24h',
  assigned: 'assigned:me',
  top: 'top:20',
};
/**
 * Incidents per page at most. An incident row is about half as large again as an alert row
 * (Defender's incident names are long), and a card must stay under Teams' size limit with every
 * row it lists: the renderer would otherwise cut rows that the More button's cursor has passed.
 */
export const MAX_INCIDENT_TOP = 25;

/** An owner as Defender stores it: an address (UPN). */
const OWNER = /^[^\s@,]{1,64}@[^\s@,]{1,255}$/;

/** Reads `incidents` options: `severity:high status:active,inProgress since:7d assigned:me|none|<upn> top:20`. */
export function parseIncidentOptions(words: readonly string[]): { filter: IncidentFilter; top: number } {
  const filter: { -readonly [K in keyof IncidentFilter]: IncidentFilter[K] } = {};
  let top = DEFAULT_TOP;
  const seen = new Set<string>();
  for (const word of words) {
    const colon = word.indexOf(':');
    const key = (colon === -1 ? word : word.slice(0, colon)).toLowerCase() as (typeof KEYS)[number];
    const value = colon === -1 ? '' : word.slice(colon + 1);
    if (!KEYS.includes(key)) throw new UsageError(`"${word.slice(0, 60)}" is not an option here. Options: ${KEYS.map((k) => `${k}:…`).join(', ')}.`);
    if (seen.has(key)) throw new UsageError(`"${key}:" is given twice; list several values with commas instead, e.g. ${key}:a,b.`);
    seen.add(key);
    if (value === '') throw new UsageError(`"${key}:" needs a value, e.g. ${EXAMPLES[key]}.`);
    if (key === 'severity') filter.severities = listOf(value, SEVERITY_WORDS, 'severity', 'high, medium, low, informational');
    else if (key === 'status') filter.statuses = ['any', 'all'].includes(value.toLowerCase()) ? [] : listOf(value, INCIDENT_STATUS_WORDS, 'incident status', 'active, inProgress, awaiting, resolved, merged, any');
    else if (key === 'since') Object.assign(filter, sinceOf(value));
    else if (key === 'assigned') filter.assigned = ownerOf(value);
    else top = topOf(value, MAX_INCIDENT_TOP);
  }
  return { filter, top };
}

function ownerOf(value: string): string {
  const lower = value.toLowerCase();
  if (lower === 'me' || lower === 'none') return lower;
  if (!OWNER.test(value)) throw new UsageError(`"assigned:${value.slice(0, 60)}" is not an owner. Use assigned:me, assigned:none or an address such as assigned:megan@mssp.example.`);
  return value;
}
