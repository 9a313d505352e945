import { isDeepStrictEqual } from 'node:util';
import type { RoleAssignment } from '../roles/role-schema.js';
import { linkKeyOf, type ChannelLink, type NotificationRule } from '../routing/store-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { entryNames, roleEntry, ruleEntry, type ConfigState, type EntryNames } from './entries.js';
import { CONFIG_SECTIONS, type ConfigSection } from './file-schema.js';
import type { PlannedState } from './plan.js';

/** An entry as people read it in a diff and the audit trail: the file's keys and values. */
export type EntryValues = Readonly<Record<string, string | boolean>>;

/** One record `apply` adds, changes or removes. */
export interface ConfigChange {
  readonly section: ConfigSection;
  /** The record's key in its collection. */
  readonly key: string;
  /** Which entry, for people: `contoso`, `rule "Contoso high" (r7kq)`. */
  readonly label: string;
  /** The customer tenant the change concerns (the audit trail's scope); empty for none in particular. */
  readonly tenantId: string;
  /** The entry before and after; absent before: added; absent after: removed. */
  readonly before?: EntryValues;
  readonly after?: EntryValues;
}

/** How one section's records are keyed, labelled and shown. */
interface SectionView<T> {
  keyOf(record: T): string;
  label(record: T, names: EntryNames): string;
  tenantOf(record: T, tenants: readonly TenantRecord[]): string;
  values(record: T, names: EntryNames): EntryValues;
}

const TENANT_VIEW: SectionView<TenantRecord> = {
  keyOf: (t) => t.tenantId,
  label: (t) => `${t.handle} (${t.tenantId})`,
  tenantOf: (t) => t.tenantId,
  values: (t) => ({ handle: t.handle, name: t.displayName }),
};

const ROLE_VIEW: SectionView<RoleAssignment> = {
  keyOf: (r) => r.userId,
  label: (r) => r.userId,
  tenantOf: (r, tenants) => (r.tenant ? (tenants.find((t) => t.handle === r.tenant)?.tenantId ?? '') : ''),
  values: (r) => {
    const { user: _user, ...rest } = roleEntry(r);
    return rest;
  },
};

const LINK_VIEW: SectionView<ChannelLink> = {
  keyOf: (l) => linkKeyOf(l.conversationId, l.tenantId),
  label: (l, names) => `${names.placeOf(l.conversationId)} (${l.conversationId})`,
  tenantOf: (l) => l.tenantId,
  values: (l, names) => ({ tenant: names.handleOf(l.tenantId) }),
};

const RULE_VIEW: SectionView<NotificationRule> = {
  keyOf: (r) => r.id,
  label: (r) => `"${r.name}" (${r.id})`,
  tenantOf: (r) => (r.tenants.scope === 'only' && r.tenants.tenantIds.length === 1 ? (r.tenants.tenantIds[0] ?? '') : ''),
  values: (r, names) => {
    const { id: _id, ...rest } = ruleEntry(r, names);
    return rest as EntryValues;
  },
};

/**
 * Every record that differs between the store and the planned state, section by section in file
 * order: exactly what `apply` writes. Entries are shown with the planned handles, so renaming a
 * tenant changes the tenants section only (and roles, which store the handle).
 */
export function changesBetween(state: ConfigState, planned: PlannedState): ConfigChange[] {
  const names = entryNames(planned.tenants, state.conversations);
  const sections: { [S in ConfigSection]: () => ConfigChange[] } = {
    tenants: () => sectionChanges('tenants', TENANT_VIEW, state.tenants, planned.tenants, names, planned.tenants),
    roles: () => sectionChanges('roles', ROLE_VIEW, state.roles, planned.roles, names, planned.tenants),
    links: () => sectionChanges('links', LINK_VIEW, state.links, planned.links, names, planned.tenants),
    rules: () => sectionChanges('rules', RULE_VIEW, state.rules, planned.rules, names, planned.tenants),
  };
  return CONFIG_SECTIONS.flatMap((section) => sections[section]());
}

function sectionChanges<T>(section: ConfigSection, view: SectionView<T>, stored: readonly T[], planned: readonly T[], names: EntryNames, tenants: readonly TenantRecord[]): ConfigChange[] {
  const before = new Map(stored.map((r) => [view.keyOf(r), r]));
  const after = new Map(planned.map((r) => [view.keyOf(r), r]));
  const changes: ConfigChange[] = [];
  for (const [key, record] of after) {
    const old = before.get(key);
    if (old && isDeepStrictEqual(old, record)) continue;
    changes.push({ section, key, label: view.label(record, names), tenantId: view.tenantOf(record, tenants), ...(old ? { before: view.values(old, names) } : {}), after: view.values(record, names) });
  }
  for (const [key, record] of before) {
    if (!after.has(key)) changes.push({ section, key, label: view.label(record, names), tenantId: view.tenantOf(record, tenants), before: view.values(record, names) });
  }
  return changes;
}

/** `added`, `changed` or `removed`. */
export function changeKind(change: Pick<ConfigChange, 'before' | 'after'>): 'added' | 'changed' | 'removed' {
  return change.before === undefined ? 'added' : change.after === undefined ? 'removed' : 'changed';
}

/** One change in words: the values added or removed, or each changed key with before → after. */
export function describeChange(change: Pick<ConfigChange, 'before' | 'after'>): string {
  const shown = (value: string | boolean | undefined) => (value === undefined ? '(none)' : String(value));
  const { before, after } = change;
  if (!before || !after) return Object.entries(after ?? before ?? {}).map(([k, v]) => `${k}: ${shown(v)}`).join('; ');
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k}: ${shown(before[k])} → ${shown(after[k])}`)
    .join('; ');
}

const MARK = { added: '+', changed: '~', removed: '-' } as const;

/** The changes as `diff` and `apply` print them: a heading per section with counts, a line per change. */
export function formatChanges(changes: readonly ConfigChange[]): string {
  if (changes.length === 0) return 'No changes: the store already matches the file.\n';
  const lines: string[] = [];
  for (const section of CONFIG_SECTIONS) {
    const own = changes.filter((c) => c.section === section);
    if (own.length === 0) continue;
    const counts = (['added', 'changed', 'removed'] as const).map((kind) => [kind, own.filter((c) => changeKind(c) === kind).length] as const).filter(([, n]) => n > 0);
    lines.push(`${section}: ${counts.map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
    for (const change of own) lines.push(`  ${MARK[changeKind(change)]} ${change.label}: ${describeChange(change)}`);
  }
  return `${lines.join('\n')}\n`;
}
