import type { TargetRegistry } from '../delivery/targets/registry.js';
import { UsageError } from '../errors.js';
import { DEFAULT_RULE } from '../routing/matcher.js';
import { newRuleDraft } from '../routing/rule-service.js';
import { parseRuleOptions, type RuleInput } from '../routing/rule-syntax.js';
import { resolveEscalation, type EscalationPeople } from '../routing/rule-escalation.js';
import { RuleTargets, kindsUsed } from '../routing/rule-targets.js';
import { ruleNameOf, splitList } from '../routing/rule-vocabulary.js';
import type { NotificationRule, TenantScope } from '../routing/store-schema.js';
import { CONFIG_APPLY } from './entries.js';
import type { RuleEntry } from './file-schema.js';
import type { PlannedLinks, PlannedTenants } from './planned-state.js';

/** A problem with one key of an entry (undefined: the entry as a whole). */
export type ReportProblem = (key: string | undefined, message: string) => void;

/** The keys of a rule entry that are `rule add` options, each parsed as if typed after `key:`. */
const OPTION_KEYS = ['severity', 'groups', 'source', 'detection', 'category', 'title', 'to', 'mode', 'include', 'group', 'notify', 'escalate', 'escalate-to'] as const;

/** A configuration file has no "here": the conversation a chat command is typed in. */
const NO_PLACE = { conversationId: '', kind: 'personal' } as const;

/**
 * The rule a file's entry describes, checked exactly as `rule add` checks a rule typed in chat
 * (the same parser and the same target checks), against the tenants and links the file leaves.
 * Each problem is reported with the key it is about; undefined when there is any.
 */
export function ruleOfEntry(
  entry: RuleEntry,
  world: { tenants: PlannedTenants; links: PlannedLinks; targets: TargetRegistry; people: EscalationPeople; at: string },
  report: ReportProblem,
): Omit<NotificationRule, 'id'> | undefined {
  let failed = false;
  const fail: ReportProblem = (key, message) => {
    failed = true;
    report(key, message);
  };
  const name = attempt(() => ruleNameOf(entry.name), 'name', fail);
  const input = inputOf(entry, fail);
  if (name === undefined || failed) return undefined;
  const draft = newRuleDraft(name, input, { by: CONFIG_APPLY.id, byName: CONFIG_APPLY.name, at: world.at });
  const tenantsKey = entry.except !== undefined ? 'except' : 'tenants';
  const scope = input.tenants ? attempt(() => scopeOf(input.tenants as NonNullable<RuleInput['tenants']>, world.tenants, tenantsKey), tenantsKey, fail) : draft.tenants;
  if (!scope) return undefined;
  const rule = { ...draft, tenants: scope };
  const ruleTargets = new RuleTargets(world.targets);
  const ctx = { place: NO_PLACE, covered: world.tenants.covered(scope), links: world.links };
  const targets = attempt(() => ruleTargets.resolve(input.targets ?? DEFAULT_RULE.targets, ctx), 'to', fail);
  if (!targets) return undefined;
  rule.targets = targets;
  attempt(() => ruleTargets.check(rule, ctx), 'to', fail);
  if (failed) return undefined;
  const escalationKey = entry['escalate-to'] !== undefined && entry.escalate === undefined ? 'escalate-to' : 'escalate';
  const escalation = attempt(() => resolveEscalation(undefined, input, { people: world.people, targets: ctx, postsToTeams: kindsUsed(world.targets, rule).includes('teams') }) ?? null, escalationKey, fail);
  if (escalation) rule.escalation = escalation;
  return failed ? undefined : rule;
}

function inputOf(entry: RuleEntry, fail: ReportProblem): RuleInput {
  const parts: RuleInput[] = [];
  const scopeWords = [entry.tenants === undefined ? [] : [`tenants:${entry.tenants}`], entry.except === undefined ? [] : [`except:${entry.except}`]].flat();
  if (scopeWords.length > 0) {
    const scope = attempt(() => parseRuleOptions(scopeWords), entry.except !== undefined ? 'except' : 'tenants', fail);
    if (scope) parts.push(scope);
  }
  for (const key of OPTION_KEYS) {
    const value = entry[key];
    if (value === undefined) continue;
    if (key === 'to' && splitList(value).some((word) => ['here', 'this'].includes(word.toLowerCase()))) {
      fail('to', 'to: "here" means the conversation a chat command is typed in, and a file has none: name the conversation by its id instead (the links section and "channels" show it).');
      continue;
    }
    const part = attempt(() => parseRuleOptions([`${key}:${value}`]), key, fail);
    if (part) parts.push(part);
  }
  const enabled = entry.enabled === undefined ? undefined : entry.enabled === true || entry.enabled === 'yes';
  return Object.assign({}, ...parts, enabled === undefined ? {} : { enabled }) as RuleInput;
}

function scopeOf(input: NonNullable<RuleInput['tenants']>, tenants: PlannedTenants, key: string): TenantScope {
  if (input.scope === 'all') return { scope: 'all' };
  const ids = input.refs.map((ref) => {
    try {
      return tenants.resolve(ref).tenantId;
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(`${key}: ${error.userMessage}`);
      throw error;
    }
  });
  return { scope: input.scope, tenantIds: [...new Set(ids)] };
}

/**
 * Runs `work`; a UsageError is reported against the key its message starts with (`mode: …`), or
 * `key` when it names none.
 */
function attempt<T>(work: () => T, key: string, fail: ReportProblem): T | undefined {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const named = /^([a-z]+(?:-[a-z]+)?):/.exec(error.userMessage)?.[1];
    fail(named && (named === 'name' || named === 'tenants' || named === 'except' || named === 'enabled' || (OPTION_KEYS as readonly string[]).includes(named)) ? named : key, error.userMessage);
    return undefined;
  }
}
