import type { ConversationRecord } from '../conversations/conversation-schema.js';
import { targetKindOf } from '../delivery/targets/kinds.js';
import { ROLES, type RoleAssignment } from '../roles/role-schema.js';
import { placeNameOf } from '../routing/channel-links.js';
import { INCLUDE_WORDS, modeWord } from '../routing/rule-syntax.js';
import { RULE_SEVERITIES } from '../routing/rule-vocabulary.js';
import { durationWord } from '../routing/escalation-syntax.js';
import type { ChannelLink, NotificationRule, RuleEscalation, TenantScope } from '../routing/store-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { CONFIG_FILE_VERSION, type ConfigFile, type LinkEntry, type RoleEntry, type RuleEntry, type TenantEntry } from './file-schema.js';

/** What a configuration file describes, as the store holds it. */
export interface ConfigState {
  readonly tenants: readonly TenantRecord[];
  readonly roles: readonly RoleAssignment[];
  /** Read only: links name conversations the bot is in. */
  readonly conversations: readonly ConversationRecord[];
  readonly links: readonly ChannelLink[];
  readonly rules: readonly NotificationRule[];
}

/** How `config apply` signs what it writes (records, audit entries). */
export const CONFIG_APPLY = { id: 'config-apply', name: 'config apply' } as const;

/** Names the file uses for tenants and conversations. */
export interface EntryNames {
  /** A tenant's handle by tenant id (the id itself for a tenant not in the store). */
  handleOf(tenantId: string): string;
  /** `Team › Channel`, a group chat's title. */
  placeOf(conversationId: string): string;
}

/** Handles and place names from the tenants and conversations given. */
export function entryNames(tenants: readonly TenantRecord[], conversations: readonly ConversationRecord[]): EntryNames {
  const handles = new Map(tenants.map((t) => [t.tenantId, t.handle]));
  const places = new Map(conversations.map((c) => [c.id, c]));
  return { handleOf: (id) => handles.get(id) ?? id, placeOf: (id) => placeNameOf(places.get(id), id) };
}

/**
 * The whole file for a state, as `config export` writes it: every section, in a stable order
 * (tenants by handle, roles by role and name, links by place, rules as stored), so exporting the
 * same configuration twice gives the same text. Bootstrap admins are configuration, not state.
 */
export function configFileOf(state: ConfigState, bootstrapAdminIds: readonly string[]): ConfigFile {
  const names = entryNames(state.tenants, state.conversations);
  const bootstrap = new Set(bootstrapAdminIds);
  const byConversation = new Map<string, string[]>();
  for (const link of state.links) byConversation.set(link.conversationId, [...(byConversation.get(link.conversationId) ?? []), names.handleOf(link.tenantId)]);
  return {
    version: CONFIG_FILE_VERSION,
    tenants: [...state.tenants].sort((a, b) => a.handle.localeCompare(b.handle)).map(tenantEntry),
    roles: state.roles
      .filter((r) => !bootstrap.has(r.userId))
      .sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || (a.displayName ?? a.userId).localeCompare(b.displayName ?? b.userId) || a.userId.localeCompare(b.userId))
      .map(roleEntry),
    links: [...byConversation]
      .map(([conversation, handles]): LinkEntry => ({ conversation, name: names.placeOf(conversation), tenants: handles.sort().join(',') }))
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.conversation.localeCompare(b.conversation)),
    rules: state.rules.map((r) => ruleEntry(r, names)),
  };
}

/** A tenant as the file shows it (status for people). */
export function tenantEntry(tenant: TenantRecord): TenantEntry {
  return { tenantId: tenant.tenantId, domain: tenant.domain, handle: tenant.handle, name: tenant.displayName, status: tenant.status };
}

/** A stored role as the file shows it. */
export function roleEntry(role: RoleAssignment): RoleEntry {
  return { user: role.userId, ...(role.displayName ? { name: role.displayName } : {}), role: role.role, ...(role.tenant ? { tenant: role.tenant } : {}) };
}

/**
 * A rule in the keys and values `rule add` takes, so a file says nothing chat could not. Keys
 * with a default other than "any" are always written; filters only when they filter.
 */
export function ruleEntry(rule: NotificationRule, names: Pick<EntryNames, 'handleOf'>): RuleEntry {
  const severities = [...rule.severities].sort((a, b) => rank(a) - rank(b));
  return {
    id: rule.id,
    name: rule.name,
    ...scopeEntry(rule.tenants, names),
    severity: severities.length ? severities.join(',') : 'any',
    ...(rule.deviceGroups.length ? { groups: listValue(rule.deviceGroups) } : {}),
    ...(rule.serviceSources.length ? { source: listValue(rule.serviceSources) } : {}),
    ...(rule.detectionSources.length ? { detection: listValue(rule.detectionSources) } : {}),
    ...(rule.categories.length ? { category: listValue(rule.categories) } : {}),
    ...(rule.titleContains ? { title: rule.titleContains } : {}),
    to: listValue(rule.targets.map((ref) => targetKindOf(ref.kind)?.word(ref) ?? ref.value)),
    ...(rule.mode?.length ? { mode: modeWord(rule.mode) } : {}),
    include: includeValue(rule.content),
    group: rule.grouping,
    ...(rule.notify === 'first' ? { notify: rule.notify } : {}),
    enabled: rule.enabled,
    ...(rule.escalation ? escalationEntry(rule.escalation) : {}),
  };
}

/** `escalate` and `escalate-to` as chat takes them, people by Entra object id. */
function escalationEntry(escalation: RuleEscalation): Pick<RuleEntry, 'escalate' | 'escalate-to'> {
  const to = [...escalation.mention.map((m) => m.userId), ...(escalation.channel ? [escalation.channel] : [])];
  return { escalate: escalation.afterMinutes.map(durationWord).join(','), ...(to.length ? { 'escalate-to': to.join(',') } : {}) };
}

function scopeEntry(scope: TenantScope, names: Pick<EntryNames, 'handleOf'>): Pick<RuleEntry, 'tenants' | 'except'> {
  if (scope.scope === 'all') return { tenants: 'all' };
  const handles = scope.tenantIds.map(names.handleOf).join(',');
  return scope.scope === 'only' ? { tenants: handles } : { except: handles };
}

function rank(severity: string): number {
  const i = (RULE_SEVERITIES as readonly string[]).indexOf(severity);
  return i === -1 ? RULE_SEVERITIES.length : i;
}

/** Comma-separated, as chat lists are; an item holding a comma is quoted. */
function listValue(items: readonly string[]): string {
  return items.map((item) => (item.includes(',') ? `"${item}"` : item)).join(',');
}

function includeValue(content: NotificationRule['content']): string {
  const words = (['org', 'link', 'devices'] as const).filter((word) => content[INCLUDE_WORDS[word] ?? 'includeOrgName']);
  if (words.length === 0) return 'none';
  return words.join(',');
}

