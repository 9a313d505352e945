import { SEVERITY_WORDS, sourceOf } from '../alerts/alert-filter.js';
import { nearest } from '../text/nearest.js';
import { DETECTION_SOURCES, SERVICE_SOURCES, UNKNOWN_FUTURE_VALUE, type AlertSeverity } from '../defender/alert-enums.js';
import { UsageError } from '../errors.js';

/**
 * The values a rule's filters accept, and how typed words map onto them. Everything here throws a
 * UsageError that names the key, the value and what is allowed.
 */

/** Severities a rule can select, highest first (as Defender's rule form lists them). */
export const RULE_SEVERITIES = ['high', 'medium', 'low', 'informational'] as const satisfies readonly AlertSeverity[];

/** What a new rule selects when no severity is given: the default rule's "medium and higher". */
export const DEFAULT_RULE_SEVERITIES: readonly AlertSeverity[] = ['high', 'medium'];

/** Defender XDR alert categories: the MITRE ATT&CK tactics plus Defender's own. */
export const ALERT_CATEGORIES = [
  'Reconnaissance', 'ResourceDevelopment', 'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion',
  'CredentialAccess', 'Discovery', 'LateralMovement', 'Collection', 'CommandAndControl', 'Exfiltration', 'Impact',
  'Malware', 'Ransomware', 'Exploit', 'SuspiciousActivity', 'UnwantedSoftware',
] as const;

/** Service sources a rule can select (Graph's, without the placeholders). */
export const RULE_SERVICE_SOURCES = SERVICE_SOURCES.filter((s) => s !== 'unknown' && s !== UNKNOWN_FUTURE_VALUE);

/** Detection sources a rule can select. */
export const RULE_DETECTION_SOURCES = DETECTION_SOURCES.filter((s) => s !== 'unknown' && s !== UNKNOWN_FUTURE_VALUE);

/** Short names for detection sources. */
const DETECTION_ALIASES: Readonly<Record<string, string>> = {
  av: 'antivirus', edr: 'microsoftDefenderForEndpoint', mde: 'microsoftDefenderForEndpoint', custom: 'customDetection',
  customti: 'customTi', air: 'automatedInvestigation', experts: 'microsoftThreatExperts', mdi: 'microsoftDefenderForIdentity',
  mdo: 'microsoftDefenderForOffice365', mdca: 'cloudAppSecurity', xdr: 'microsoft365Defender', entra: 'azureAdIdentityProtection',
  dlp: 'microsoftDataLossPrevention', sentinel: 'microsoftSentinel',
};

/** `high`, `med`, … or `medium+` (that severity and every higher one). */
export function severitiesOf(value: string, key = 'severity'): AlertSeverity[] {
  const out: AlertSeverity[] = [];
  for (const raw of splitList(value)) {
    const word = raw.toLowerCase();
    const andHigher = word.endsWith('+');
    const severity = SEVERITY_WORDS[andHigher ? word.slice(0, -1) : word];
    const index = severity ? (RULE_SEVERITIES as readonly string[]).indexOf(severity) : -1;
    if (!severity || index === -1) {
      throw new UsageError(`${key}: "${clip(raw)}" is not a severity. Use one or more of: high, medium, low, informational (comma-separated), "medium+" for medium and higher, or "any".`);
    }
    for (const s of andHigher ? RULE_SEVERITIES.slice(0, index + 1) : [severity]) if (!out.includes(s)) out.push(s);
  }
  return out;
}

export function serviceSourcesOf(value: string, key = 'source'): string[] {
  return unique(
    splitList(value).map((raw) => {
      try {
        return sourceOf(raw);
      } catch (error) {
        if (error instanceof UsageError) throw new UsageError(`${key}: ${error.userMessage}`);
        throw error;
      }
    }),
  );
}

export function detectionSourcesOf(value: string, key = 'detection'): string[] {
  return unique(
    splitList(value).map((raw) => {
      const word = raw.toLowerCase();
      const found = DETECTION_ALIASES[word] ?? RULE_DETECTION_SOURCES.find((s) => s.toLowerCase() === word);
      if (found) return found;
      const hint = nearest(raw, RULE_DETECTION_SOURCES);
      throw new UsageError(
        `${key}: "${clip(raw)}" is not a detection source.${hint ? ` Did you mean ${hint}?` : ''} Use a Graph detectionSource value (e.g. antivirus, customDetection, microsoftDefenderForEndpoint, smartScreen) or a short name: ${Object.keys(DETECTION_ALIASES).join(', ')}.`,
      );
    }),
  );
}

export function categoriesOf(value: string, key = 'category'): string[] {
  return unique(
    splitList(value).map((raw) => {
      const found = ALERT_CATEGORIES.find((c) => c.toLowerCase() === raw.toLowerCase());
      if (found) return found;
      const hint = nearest(raw, ALERT_CATEGORIES);
      throw new UsageError(`${key}: "${clip(raw)}" is not an alert category.${hint ? ` Did you mean ${hint}?` : ''} Categories: ${ALERT_CATEGORIES.join(', ')}.`);
    }),
  );
}

const MAX_GROUP = 100;
const MAX_GROUPS = 50;

/** Device group names (`rbacGroupName`), as the customer named them in Defender. */
export function deviceGroupsOf(value: string, key = 'groups'): string[] {
  const groups = splitList(value);
  for (const group of groups) {
    if (group.length > MAX_GROUP) throw new UsageError(`${key}: "${clip(group)}" is longer than ${MAX_GROUP} characters; device group names are shorter.`);
    if (CONTROL.test(group)) throw new UsageError(`${key}: device group names cannot contain control characters.`);
  }
  if (groups.length > MAX_GROUPS) throw new UsageError(`${key}: at most ${MAX_GROUPS} device groups per rule.`);
  const seen = new Set<string>();
  return groups.filter((g) => !seen.has(g.toLowerCase()) && seen.add(g.toLowerCase()));
}

const CONTROL = /[\u0000-\u001f\u007f]/;

export function ruleNameOf(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name === '') throw new UsageError('A rule needs a name, e.g. rule add "Contoso high" severity:high.');
  if (name.length > 80) throw new UsageError(`The rule name is ${name.length} characters long; use at most 80.`);
  if (CONTROL.test(name)) throw new UsageError('The rule name cannot contain control characters.');
  return name;
}

export function titleTextOf(raw: string, key = 'title'): string {
  const text = raw.trim();
  if (text === '') throw new UsageError(`${key}: give the text the alert title must contain, e.g. title:ransomware.`);
  if (text.length > 200) throw new UsageError(`${key}: the title text is ${text.length} characters long; use at most 200.`);
  if (CONTROL.test(text)) throw new UsageError(`${key}: the title text cannot contain control characters.`);
  return text;
}

/**
 * Splits `a,"b, c",d` at commas outside quotes and drops the quotes; empty items are ignored.
 * Straight and curly quotes both work, since Teams may turn one into the other.
 */
export function splitList(value: string): string[] {
  const items: string[] = [];
  let current = '';
  let closing: string | undefined;
  for (const ch of value) {
    if (closing !== undefined) {
      if (ch === closing) closing = undefined;
      else current += ch;
    } else if (ch === '"' || ch === '“') closing = ch === '"' ? '"' : '”';
    else if (ch === ',') {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items.map((i) => i.trim()).filter((i) => i !== '');
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
