import { isDeepStrictEqual } from 'node:util';
import { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import { CONVERSATIONS } from '../conversations/conversation-schema.js';
import { ConflictError } from '../errors.js';
import { ROLE_ASSIGNMENTS } from '../roles/role-schema.js';
import { CHANNEL_LINKS, NOTIFICATION_RULES } from '../routing/store-schema.js';
import type { CollectionDraft, CollectionSpec, Storage } from '../store/storage.js';
import { TENANTS } from '../tenants/tenant-schema.js';
import { changeKind, changesBetween, type ConfigChange } from './changes.js';
import { CONFIG_APPLY, type ConfigState } from './entries.js';
import type { ReadConfigFile } from './file-text.js';
import { planConfig, type PlanContext } from './plan.js';

/** Every collection a configuration file describes or is checked against, in one `writeAll`. */
const CONFIG_COLLECTIONS = [TENANTS, ROLE_ASSIGNMENTS, CONVERSATIONS, CHANNEL_LINKS, NOTIFICATION_RULES] as const;

/** The configuration as the store holds it now (every instance's writes included). */
export async function readConfigState(storage: Storage): Promise<ConfigState> {
  for (const spec of CONFIG_COLLECTIONS) storage.collection(spec as CollectionSpec<unknown>);
  await storage.refresh();
  return {
    tenants: storage.collection(TENANTS).all(),
    roles: storage.collection(ROLE_ASSIGNMENTS).all(),
    conversations: storage.collection(CONVERSATIONS).all(),
    links: storage.collection(CHANNEL_LINKS).all(),
    rules: storage.collection(NOTIFICATION_RULES).all(),
  };
}

/** What `diff` shows: the changes `apply` would make to the store as it is now. Throws ConfigFileError. */
export async function diffConfig(storage: Storage, file: ReadConfigFile, ctx: Omit<PlanContext, 'at'> & { clock: Clock }): Promise<ConfigChange[]> {
  const state = await readConfigState(storage);
  return changesBetween(state, planConfig(file, state, { ...ctx, at: ctx.clock.now().toISOString() }));
}

/** Removals the file implies, refused unless `prune` allows them. */
export function removalsOf(changes: readonly ConfigChange[]): ConfigChange[] {
  return changes.filter((c) => changeKind(c) === 'removed');
}

/**
 * Applies the file: plans it against the store inside one `writeAll` over every collection it
 * touches (so the plan sees every instance's writes, and its changes are stored together or not at
 * all), then records each change in the audit trail "by config apply". Refuses (nothing written) a
 * file with any problem (ConfigFileError), or one that removes entries without `prune` (ConflictError).
 */
export async function applyConfig(
  storage: Storage,
  file: ReadConfigFile,
  ctx: Omit<PlanContext, 'at'> & { clock: Clock; prune: boolean },
): Promise<ConfigChange[]> {
  const at = ctx.clock.now().toISOString();
  const changes = await storage.writeAll(CONFIG_COLLECTIONS, (tenants, roles, conversations, links, rules) => {
    const state: ConfigState = { tenants: tenants.all(), roles: roles.all(), conversations: conversations.all(), links: links.all(), rules: rules.all() };
    const planned = planConfig(file, state, { ...ctx, at });
    const changes = changesBetween(state, planned);
    const removals = removalsOf(changes);
    if (removals.length > 0 && !ctx.prune) {
      throw new ConflictError(
        `${file.name} leaves out ${removals.length} entr${removals.length === 1 ? 'y' : 'ies'} the store holds (${removals.slice(0, 5).map((c) => `${c.section}: ${c.label}`).join('; ')}${removals.length > 5 ? '; …' : ''}), and apply removes entries only with --prune. Add them to the file, or run apply --prune to remove them.`,
      );
    }
    replaceWith(tenants, planned.tenants, TENANTS.keyOf);
    replaceWith(roles, planned.roles, ROLE_ASSIGNMENTS.keyOf);
    replaceWith(links, planned.links, CHANNEL_LINKS.keyOf);
    replaceWith(rules, planned.rules, NOTIFICATION_RULES.keyOf);
    return changes;
  });
  const audit = new AuditLog({ storage, clock: ctx.clock });
  const handles = new Map(storage.collection(TENANTS).all().map((t) => [t.tenantId, t.handle]));
  for (const change of changes) {
    await audit.append({
      actorId: CONFIG_APPLY.id,
      actorName: CONFIG_APPLY.name,
      tenantId: change.tenantId,
      tenantHandle: handles.get(change.tenantId) ?? '',
      alertId: '',
      action: `${SINGULAR[change.section]} ${changeKind(change)}`,
      before: {},
      after: {},
      outcome: 'done',
      detail: `from ${file.name}`,
      config: { section: change.section, key: change.key, label: change.label, ...(change.before ? { before: change.before } : {}), ...(change.after ? { after: change.after } : {}) },
    });
  }
  return changes;
}

const SINGULAR = { tenants: 'tenant', roles: 'role', links: 'link', rules: 'rule' } as const;

/** Makes the draft hold exactly `records`, writing only those that differ. */
function replaceWith<T>(draft: CollectionDraft<T>, records: readonly T[], keyOf: (record: T) => string): void {
  const keep = new Set(records.map(keyOf));
  for (const record of draft.all()) if (!keep.has(keyOf(record))) draft.delete(keyOf(record));
  for (const record of records) {
    const current = draft.get(keyOf(record));
    if (!current || !isDeepStrictEqual(current, record)) draft.put(record);
  }
}
