import { isDeepStrictEqual } from 'node:util';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import { UsageError } from '../errors.js';
import type { RoleAssignment } from '../roles/role-schema.js';
import { MAX_RULES, newRuleId } from '../routing/rule-service.js';
import { splitList } from '../routing/rule-vocabulary.js';
import { linkKeyOf, type ChannelLink, type NotificationRule } from '../routing/store-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { CONFIG_APPLY, entryNames, roleEntry, ruleEntry, type ConfigState } from './entries.js';
import { ConfigFileError, type FilePath, type FileProblem, type ReadConfigFile } from './file-text.js';
import { PlannedLinks, PlannedTenants } from './planned-state.js';
import type { EscalationPeople } from '../routing/rule-escalation.js';
import { ruleOfEntry } from './rule-entry.js';

/** What planning needs besides the file and the store. */
export interface PlanContext {
  readonly targets: TargetRegistry;
  /** SOC_ADMIN_IDS (lower case): configuration, never in a file. */
  readonly bootstrapAdminIds: readonly string[];
  /** Now, ISO 8601: the time records made or changed by the file carry. */
  readonly at: string;
}

/**
 * The store as it will be once the file is applied. Sections the file leaves out are as they are
 * (roles follow a renamed handle); records the file describes unchanged are the stored objects.
 */
export type PlannedState = Omit<ConfigState, 'conversations'>;

/**
 * Checks the whole file against the store and works out the state it describes: tenants by
 * their tenant id (handle and name changed, never added or removed), and, for each of roles,
 * links and rules the file holds, exactly the entries it lists. Throws ConfigFileError with every
 * problem found, each at its line; nothing is changed by planning.
 */
export function planConfig(file: ReadConfigFile, state: ConfigState, ctx: PlanContext): PlannedState {
  const problems: FileProblem[] = [];
  const at = (path: FilePath) => (key: string | undefined, message: string) => problems.push({ line: file.lineOf(key === undefined ? path : [...path, key]), message });
  const { content } = file;
  const tenants = content.tenants ? planTenants(content.tenants, state.tenants, ctx, at) : [...state.tenants];
  const planned = new PlannedTenants(tenants);
  const roles = content.roles ? planRoles(content.roles, state.roles, planned, ctx, at) : followHandles(state.roles, state.tenants, tenants);
  const links = content.links ? planLinks(content.links, state, planned, ctx, at) : [...state.links];
  const people = plannedPeople(roles, ctx.bootstrapAdminIds);
  const rules = content.rules ? planRules(content.rules, state, { tenants: planned, links: new PlannedLinks(links, state.conversations), targets: ctx.targets, people, at: ctx.at }, at) : [...state.rules];
  if (problems.length > 0) throw new ConfigFileError(file.name, problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)));
  return { tenants, roles, links, rules };
}

/** Who will hold which role once the file is applied (bootstrap admins are admins). */
function plannedPeople(roles: readonly RoleAssignment[], bootstrapAdminIds: readonly string[]): EscalationPeople {
  const byUser = new Map(roles.map((r) => [r.userId, r]));
  const bootstrap = new Set(bootstrapAdminIds);
  return { holderOf: (userId) => (bootstrap.has(userId) ? { role: 'admin' } : byUser.get(userId)) };
}

type At = (path: FilePath) => (key: string | undefined, message: string) => void;

function planTenants(entries: NonNullable<ReadConfigFile['content']['tenants']>, stored: readonly TenantRecord[], ctx: PlanContext, at: At): TenantRecord[] {
  const byId = new Map(stored.map((t) => [t.tenantId, t]));
  const changed = new Map<string, TenantRecord>();
  for (const [i, entry] of entries.entries()) {
    const report = at(['tenants', i]);
    const id = entry.tenantId.toLowerCase();
    const current = byId.get(id);
    if (!current) {
      report('tenantId', `there is no customer tenant ${id}. A file names customers SOC Bridge already serves: add a new one with "onboard" in chat first.`);
      continue;
    }
    if (changed.has(id)) {
      report('tenantId', `tenant ${id} (${current.handle}) is listed twice.`);
      continue;
    }
    if (entry.domain !== undefined && entry.domain.toLowerCase() !== current.domain) {
      report('domain', `tenant ${id} is ${current.domain}, not ${entry.domain}: check this entry is the customer you mean (a file never changes a domain).`);
      continue;
    }
    const same = entry.handle === current.handle && entry.name === current.displayName;
    changed.set(id, same ? current : { ...current, handle: entry.handle, displayName: entry.name, updatedAt: ctx.at });
  }
  const tenants = stored.map((t) => changed.get(t.tenantId) ?? t);
  for (const [i, entry] of entries.entries()) {
    const clash = tenants.find((t) => t.handle === entry.handle && t.tenantId !== entry.tenantId.toLowerCase());
    if (clash && changed.has(entry.tenantId.toLowerCase())) at(['tenants', i])('handle', `handle "${entry.handle}" is already ${clash.displayName}'s (${clash.tenantId}); handles are unique.`);
  }
  return tenants;
}

/** Roles name a customer-admin's tenant by handle: when the file renames it, they follow. */
function followHandles(roles: readonly RoleAssignment[], before: readonly TenantRecord[], after: readonly TenantRecord[]): RoleAssignment[] {
  const renamed = new Map(before.flatMap((t) => {
    const now = after.find((a) => a.tenantId === t.tenantId);
    return now && now.handle !== t.handle ? [[t.handle, now.handle] as const] : [];
  }));
  return roles.map((r) => (r.tenant && renamed.has(r.tenant) ? { ...r, tenant: renamed.get(r.tenant) ?? r.tenant } : r));
}

function planRoles(entries: NonNullable<ReadConfigFile['content']['roles']>, stored: readonly RoleAssignment[], tenants: PlannedTenants, ctx: PlanContext, at: At): RoleAssignment[] {
  const bootstrap = new Set(ctx.bootstrapAdminIds);
  const byUser = new Map(stored.map((r) => [r.userId, r]));
  const planned = new Map<string, RoleAssignment>();
  for (const [i, entry] of entries.entries()) {
    const report = at(['roles', i]);
    const userId = entry.user.toLowerCase();
    if (planned.has(userId)) {
      report('user', `user ${userId} is listed twice; a user has one role.`);
      continue;
    }
    if (bootstrap.has(userId)) {
      report('user', `${userId} is a bootstrap admin from the SOC_ADMIN_IDS setting: leave them out of the file (change that setting instead).`);
      continue;
    }
    let handle: string | undefined;
    if (entry.role === 'customer-admin') {
      if (entry.tenant === undefined) {
        report('role', 'customer-admin needs "tenant": the customer they are limited to.');
        continue;
      }
      const tenant = resolveTenant(tenants, entry.tenant, (message) => report('tenant', `tenant: ${message}`));
      if (!tenant) continue;
      if (tenant.status === 'offboarded') {
        report('tenant', `tenant: ${tenant.displayName} (${tenant.handle}) was offboarded; onboard it again before giving anyone the customer-admin role for it.`);
        continue;
      }
      handle = tenant.handle;
    } else if (entry.tenant !== undefined) {
      report('tenant', `tenant: only customer-admin is limited to a customer; ${entry.role} covers every customer. Remove "tenant" or make the role customer-admin.`);
      continue;
    }
    const current = byUser.get(userId);
    const displayName = entry.name ?? current?.displayName;
    const next: RoleAssignment = { userId, role: entry.role, ...(handle ? { tenant: handle } : {}), ...(displayName ? { displayName } : {}), grantedBy: CONFIG_APPLY.name, grantedAt: ctx.at };
    planned.set(userId, current && isDeepStrictEqual(roleEntry(current), roleEntry(next)) ? current : next);
  }
  // Bootstrap admins' stored roles (if any) are not the file's to remove.
  const roles = [...stored.filter((r) => bootstrap.has(r.userId)), ...planned.values()];
  if (bootstrap.size === 0 && stored.some((r) => r.role === 'admin') && !roles.some((r) => r.role === 'admin')) {
    at(['roles'])(undefined, 'roles: no one would be admin, and SOC_ADMIN_IDS names no bootstrap admin: keep at least one admin in the file.');
  }
  return roles;
}

function planLinks(entries: NonNullable<ReadConfigFile['content']['links']>, state: ConfigState, tenants: PlannedTenants, ctx: PlanContext, at: At): ChannelLink[] {
  const conversations = new Map(state.conversations.map((c) => [c.id, c]));
  const stored = new Map(state.links.map((l) => [linkKeyOf(l.conversationId, l.tenantId), l]));
  const names = entryNames(tenants.all, state.conversations);
  const seen = new Set<string>();
  const links: ChannelLink[] = [];
  for (const [i, entry] of entries.entries()) {
    const report = at(['links', i]);
    const id = entry.conversation.trim();
    const conversation = conversations.get(id);
    if (!conversation) {
      const known = state.conversations.filter((c) => c.kind !== 'personal').slice(0, 5).map((c) => `${c.id} (${names.placeOf(c.id)})`);
      report('conversation', `SOC Bridge is not in a conversation ${id.slice(0, 80)}: add it to that channel or group chat first, or check the id ("channels" in chat shows each link's).${known.length ? ` Conversations it is in: ${known.join('; ')}.` : ''}`);
      continue;
    }
    if (conversation.kind === 'personal') {
      report('conversation', `${id.slice(0, 80)} is a personal chat; alerts go to Teams channels and group chats.`);
      continue;
    }
    if (seen.has(id)) {
      report('conversation', `${names.placeOf(id)} is listed twice: name all its customers in one entry (tenants: a,b).`);
      continue;
    }
    seen.add(id);
    const refs = splitList(entry.tenants);
    if (refs.length === 0) report('tenants', 'tenants: name at least one customer, e.g. tenants: contoso.');
    for (const ref of refs) {
      const tenant = resolveTenant(tenants, ref, (message) => report('tenants', `tenants: ${message}`));
      if (!tenant) continue;
      const current = stored.get(linkKeyOf(id, tenant.tenantId));
      if (current) {
        links.push(current);
      } else if (tenant.status === 'offboarded') {
        report('tenants', `tenants: ${tenant.displayName} (${tenant.handle}) is offboarded, so it has no alerts to deliver.`);
      } else if (!conversation.active) {
        report('conversation', `SOC Bridge was removed from ${names.placeOf(id)}; add it there again before linking it.`);
      } else if (!links.some((l) => l.conversationId === id && l.tenantId === tenant.tenantId)) {
        links.push({ conversationId: id, tenantId: tenant.tenantId, linkedBy: CONFIG_APPLY.id, linkedByName: CONFIG_APPLY.name, linkedAt: ctx.at });
      }
    }
  }
  return links;
}

function planRules(entries: NonNullable<ReadConfigFile['content']['rules']>, state: ConfigState, world: Parameters<typeof ruleOfEntry>[1], at: At): NotificationRule[] {
  if (entries.length > MAX_RULES) at(['rules'])(undefined, `rules: ${entries.length} rules; SOC Bridge keeps at most ${MAX_RULES}.`);
  const byId = new Map(state.rules.map((r) => [r.id, r]));
  const claimedIds = new Set(entries.flatMap((e) => (e.id ? [e.id] : [])));
  // An entry without id is the stored rule of its name (unless another entry names that rule's id).
  const byName = new Map(state.rules.filter((r) => !claimedIds.has(r.id)).map((r) => [r.name.toLowerCase(), r]));
  const names = entryNames(world.tenants.all, []);
  const seenIds = new Set<string>();
  const seenNames = new Set<string>();
  const rules: NotificationRule[] = [];
  for (const [i, entry] of entries.entries()) {
    const report = at(['rules', i]);
    const lowerName = entry.name.trim().replace(/\s+/g, ' ').toLowerCase();
    if (seenNames.has(lowerName)) report('name', `name: another rule is already called "${entry.name}"; rule names are unique.`);
    seenNames.add(lowerName);
    if (entry.id && seenIds.has(entry.id)) {
      report('id', `id: rule ${entry.id} is listed twice.`);
      continue;
    }
    if (entry.id) seenIds.add(entry.id);
    const built = ruleOfEntry(entry, world, report);
    if (!built) continue;
    const current = entry.id ? byId.get(entry.id) : byName.get(lowerName);
    const id = entry.id ?? current?.id ?? newRuleId([...state.rules, ...rules, ...[...claimedIds].map((claimed) => ({ id: claimed }))], lowerName);
    if (current && isDeepStrictEqual(ruleEntry(current, names), ruleEntry({ ...built, id }, names))) {
      rules.push(current);
      continue;
    }
    const { createdBy, createdByName, createdAt } = current ?? built;
    rules.push({ ...built, id, createdBy, createdByName, createdAt, ...(current ? { updatedBy: CONFIG_APPLY.id, updatedByName: CONFIG_APPLY.name } : {}) });
  }
  return rules;
}

function resolveTenant(tenants: PlannedTenants, ref: string, report: (message: string) => void): TenantRecord | undefined {
  try {
    return tenants.resolve(ref);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    report(error.userMessage);
    return undefined;
  }
}
