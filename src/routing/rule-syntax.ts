import type { AlertSeverity } from '../defender/alert-enums.js';
import type { ContentOptions } from '../alerts/notification-card.js';
import { TARGET_KINDS, recogniseTarget, targetKindOf } from '../delivery/targets/kinds.js';
import type { TargetRef } from '../delivery/targets/target-kind.js';
import { UsageError } from '../errors.js';
import { escalateToOf, escalationLevelsOf, type EscalateToInput } from './escalation-syntax.js';
import { groupingOf, notifyOf, type Grouping, type NotifyMode } from './rule-grouping.js';
import { categoriesOf, detectionSourcesOf, deviceGroupsOf, ruleNameOf, serviceSourcesOf, severitiesOf, splitList, titleTextOf } from './rule-vocabulary.js';

/**
 * A rule as typed (`rule add` / `rule edit` options) or submitted from the rule form: values are
 * checked, tenants and channels are still the user's words. Absent fields are left as they are
 * (edit) or take their defaults (add).
 */
export interface RuleInput {
  readonly name?: string;
  readonly tenants?: { readonly scope: 'all' } | { readonly scope: 'only' | 'except'; readonly refs: readonly string[] };
  /** Empty = any, for every list below. */
  readonly severities?: readonly AlertSeverity[];
  readonly deviceGroups?: readonly string[];
  readonly serviceSources?: readonly string[];
  readonly detectionSources?: readonly string[];
  readonly categories?: readonly string[];
  /** null clears it. */
  readonly titleContains?: string | null;
  readonly content?: ContentOptions;
  /** As typed: `here` and channel names are resolved when the rule is saved. */
  readonly targets?: readonly TargetRef[];
  /** The kinds of target that receive alerts; empty = every kind the rule names (`mode:all`). */
  readonly mode?: readonly string[];
  /** `group:` — one card per incident (later alerts in its thread) or per alert. */
  readonly grouping?: Grouping;
  /** `notify:` — every alert of an incident, or only its first. */
  readonly notify?: NotifyMode;
  readonly enabled?: boolean;
  /** `escalate:` — minutes until each follow-up of a still new, unowned alert; null removes the escalation. */
  readonly escalateAfter?: readonly number[] | null;
  /** `escalate-to:` — whom the follow-up mentions and where it goes; null: nobody, the card's thread. */
  readonly escalateTo?: EscalateToInput | null;
}

export const RULE_OPTION_KEYS = ['name', 'tenants', 'except', 'severity', 'groups', 'source', 'detection', 'category', 'title', 'include', 'to', 'mode', 'group', 'notify', 'enabled', 'escalate', 'escalate-to'] as const;
type RuleOptionKey = (typeof RULE_OPTION_KEYS)[number];

const KEY_ALIASES: Readonly<Record<string, RuleOptionKey>> = {
  tenant: 'tenants', severities: 'severity', devicegroups: 'groups', grouping: 'group', sources: 'source', detections: 'detection',
  categories: 'category', targets: 'to', enable: 'enabled',
  escalation: 'escalate', escalateto: 'escalate-to', 'escalation-to': 'escalate-to',
};

export const INCLUDE_WORDS: Readonly<Record<string, keyof ContentOptions>> = {
  org: 'includeOrgName', organization: 'includeOrgName', organisation: 'includeOrgName',
  link: 'includePortalLink', portal: 'includePortalLink',
  devices: 'includeDeviceInfo', device: 'includeDeviceInfo',
};

const ANY = new Set(['any', 'all']);
const YES = new Set(['yes', 'true', 'on']);
const NO = new Set(['no', 'false', 'off']);

/** A rule option key in `word`, if it starts with one (`severity:high` → severity). */
export function optionKeyOf(word: string): RuleOptionKey | undefined {
  const colon = word.indexOf(':');
  if (colon <= 0) return undefined;
  const key = word.slice(0, colon).toLowerCase();
  return (RULE_OPTION_KEYS as readonly string[]).includes(key) ? (key as RuleOptionKey) : KEY_ALIASES[key];
}

/**
 * `rule add <name> key:value…`: the name is the first word (quote it if it has spaces), or every
 * word before the first option.
 */
export function parseRuleAdd(words: readonly string[]): { ruleName: string; input: RuleInput } {
  const joined = joinQuoted(words);
  const [first, ...rest] = joined;
  // A quoted name may hold a colon ("SOC: high"); an option never holds a space.
  if (first === undefined || (optionKeyOf(first) && !/\s/.test(first))) throw new UsageError('Give the rule a name first, e.g. rule add "Contoso high" tenants:contoso severity:high.');
  const nameWords = [first];
  while (rest.length > 0 && !optionKeyOf(rest[0] ?? '') && !(rest[0] ?? '').includes(':')) nameWords.push(rest.shift() ?? '');
  const input = parseRuleOptions(rest, { allowName: false });
  return { ruleName: ruleNameOf(nameWords.join(' ')), input };
}

/** `key:value` options of `rule add` and `rule edit`. */
export function parseRuleOptions(words: readonly string[], { allowName = true } = {}): RuleInput {
  const out: { -readonly [K in keyof RuleInput]: RuleInput[K] } = {};
  const seen = new Set<RuleOptionKey>();
  let tenants: string | undefined;
  let except: string | undefined;
  for (const word of joinQuoted(words)) {
    const key = optionKeyOf(word);
    if (!key || (key === 'name' && !allowName)) {
      throw new UsageError(`"${clip(word)}" is not a rule option. Options: ${RULE_OPTION_KEYS.filter((k) => allowName || k !== 'name').map((k) => `${k}:…`).join(', ')}.`);
    }
    if (seen.has(key)) throw new UsageError(`"${key}:" is given twice; list several values with commas instead, e.g. ${key}:a,b.`);
    seen.add(key);
    // Lists keep their quotes for splitList (a quoted item may hold a comma); single values lose them.
    const listValue = word.slice(word.indexOf(':') + 1).trim();
    const value = unquote(listValue);
    if (value.trim() === '') throw new UsageError(`"${key}:" needs a value, e.g. ${EXAMPLES[key]}.`);
    const lower = value.trim().toLowerCase();
    switch (key) {
      case 'name':
        out.name = ruleNameOf(value);
        break;
      case 'tenants':
        tenants = listValue;
        break;
      case 'except':
        except = listValue;
        break;
      case 'severity':
        out.severities = ANY.has(lower) ? [] : severitiesOf(listValue);
        break;
      case 'groups':
        out.deviceGroups = ANY.has(lower) ? [] : deviceGroupsOf(listValue);
        break;
      case 'source':
        out.serviceSources = ANY.has(lower) ? [] : serviceSourcesOf(listValue);
        break;
      case 'detection':
        out.detectionSources = ANY.has(lower) ? [] : detectionSourcesOf(listValue);
        break;
      case 'category':
        out.categories = ANY.has(lower) ? [] : categoriesOf(listValue);
        break;
      case 'title':
        out.titleContains = lower === 'any' || lower === 'none' ? null : titleTextOf(value);
        break;
      case 'include':
        out.content = includeOf(listValue);
        break;
      case 'to': {
        const targets = targetsOf(listValue);
        if (targets.length === 0) throw new UsageError(`to: name at least one target, e.g. ${EXAMPLES.to}.`);
        out.targets = targets;
        break;
      }
      case 'mode':
        out.mode = modeOf(listValue);
        break;
      case 'group':
        out.grouping = groupingOf(value);
        break;
      case 'notify':
        out.notify = notifyOf(value);
        break;
      case 'enabled':
        if (YES.has(lower)) out.enabled = true;
        else if (NO.has(lower)) out.enabled = false;
        else throw new UsageError(`enabled: "${clip(value)}" must be yes or no.`);
        break;
      case 'escalate':
        out.escalateAfter = escalationLevelsOf(listValue);
        break;
      case 'escalate-to':
        out.escalateTo = escalateToOf(listValue);
        break;
    }
  }
  const scope = scopeOf(tenants, except);
  if (scope) out.tenants = scope;
  return out;
}

function scopeOf(tenants: string | undefined, except: string | undefined): RuleInput['tenants'] {
  const all = tenants === undefined || ANY.has(tenants.toLowerCase());
  if (except !== undefined) {
    if (!all) throw new UsageError('except: works with every tenant, not with a list: use tenants:all except:contoso, or list only the tenants you want in tenants:.');
    return { scope: 'except', refs: tenantRefsOf(except, 'except') };
  }
  if (tenants === undefined) return undefined;
  return all ? { scope: 'all' } : { scope: 'only', refs: tenantRefsOf(tenants, 'tenants') };
}

const TENANT_REF = /^[a-z0-9][a-z0-9.-]{0,252}$/i;

function tenantRefsOf(value: string, key: string): string[] {
  const refs = splitList(value).map((r) => r.toLowerCase());
  for (const ref of refs) {
    if (ANY.has(ref)) throw new UsageError(`${key}: "${ref}" cannot be mixed with tenant names.`);
    if (!TENANT_REF.test(ref)) throw new UsageError(`${key}: "${clip(ref)}" is not a tenant: give its handle (e.g. contoso), its tenant id or its domain.`);
  }
  if (refs.length === 0) throw new UsageError(`${key}: name at least one tenant.`);
  return [...new Set(refs)];
}

function includeOf(value: string): ContentOptions {
  const content = { includeOrgName: false, includePortalLink: false, includeDeviceInfo: false };
  if (value.toLowerCase() === 'none') return content;
  for (const raw of splitList(value)) {
    const field = INCLUDE_WORDS[raw.toLowerCase()];
    if (!field) throw new UsageError(`include: "${clip(raw)}" is not something a notification can include. Use org, link, devices (comma-separated) or none.`);
    content[field] = true;
  }
  return content;
}

/**
 * `to:` values, each recognised by the target kind whose token it is (see the target registry):
 * `channels`, `here`, a conversation id, an email address, `webhook:<name>`, or else a channel's
 * name. `key` names the field in refusals (`to`, or a form field's label).
 */
export function targetsOf(value: string, key = 'to'): TargetRef[] {
  const refs: TargetRef[] = [];
  for (const raw of splitList(value)) {
    const ref = recogniseTarget(raw, key);
    if (ref && !refs.some((r) => r.kind === ref.kind && r.value.toLowerCase() === ref.value.toLowerCase())) refs.push(ref);
  }
  for (const kind of TARGET_KINDS) {
    if (kind.maxPerRule !== undefined && refs.filter((r) => r.kind === kind.key).length > kind.maxPerRule) throw new UsageError(`${key}: at most ${kind.maxPerRule} ${kind.noun} targets per rule.`);
  }
  return refs;
}

/** What `mode:` says for legacy words: `both` is Teams and email, `all` every kind. */
const MODE_ALIASES: Readonly<Record<string, readonly string[]>> = { both: ['teams', 'email'], all: [], any: [] };

/** `mode:` words: kinds of target (comma-separated), `both` (Teams and email) or `all`. */
export function modeOf(value: string, key = 'mode'): string[] {
  const kinds: string[] = [];
  for (const word of splitList(value.toLowerCase())) {
    const meant = MODE_ALIASES[word] ?? (targetKindOf(word) ? [word] : undefined);
    if (!meant) throw new UsageError(`${key}: "${clip(word)}" is not a mode. Use teams, email or both, or any of ${TARGET_KINDS.map((k) => k.key).join(', ')} (comma-separated), or all.`);
    for (const kind of meant) if (!kinds.includes(kind)) kinds.push(kind);
  }
  return kinds;
}

/** The word `mode:` would take for these kinds: `both` for Teams and email, else the kinds. */
export function modeWord(kinds: readonly string[]): string {
  const both = MODE_ALIASES.both ?? [];
  if (kinds.length === both.length && both.every((k) => kinds.includes(k))) return 'both';
  return kinds.length === 0 ? 'all' : kinds.join(',');
}

const EXAMPLES: Readonly<Record<RuleOptionKey, string>> = {
  name: 'name:"Contoso high"',
  tenants: 'tenants:contoso,fabrikam (or tenants:all)',
  except: 'except:northwind',
  severity: 'severity:high,medium (or severity:medium+)',
  groups: 'groups:Servers,"Finance laptops"',
  source: 'source:endpoint,identity',
  detection: 'detection:antivirus,customDetection',
  category: 'category:Ransomware,CredentialAccess',
  title: 'title:ransomware',
  include: 'include:org,link,devices',
  to: 'to:channels,soc@mssp.example',
  mode: 'mode:teams',
  group: 'group:incident (or group:alert)',
  notify: 'notify:first (or notify:every)',
  enabled: 'enabled:no',
  escalate: 'escalate:15m,60m',
  'escalate-to': 'escalate-to:@Megan,"SOC escalations"',
};

/**
 * Chat words are split at spaces, so `groups:"Finance laptops"` arrives as two words: join words
 * while a quote is open.
 */
function joinQuoted(words: readonly string[]): string[] {
  const out: string[] = [];
  let current: string | undefined;
  for (const word of words) {
    current = current === undefined ? word : `${current} ${word}`;
    if (!quoteOpen(current)) {
      out.push(current);
      current = undefined;
    }
  }
  if (current !== undefined) throw new UsageError(`A quote is not closed in "${clip(current)}".`);
  return out;
}

function quoteOpen(text: string): boolean {
  let closing: string | undefined;
  for (const ch of text) {
    if (closing !== undefined) {
      if (ch === closing) closing = undefined;
    } else if (ch === '"') closing = '"';
    else if (ch === '“') closing = '”';
  }
  return closing !== undefined;
}

/** A whole value in quotes (`title:"lateral movement"`) loses them; lists keep theirs for splitList. */
function unquote(value: string): string {
  const m = /^["“]([^"“”]*)["”]$/.exec(value);
  return m ? (m[1] ?? '') : value;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
