import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { ConversationKind } from '../conversations/conversation-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { Collection, Storage } from '../store/storage.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { placeNameOf, type ChannelLinks } from './channel-links.js';
import { DEFAULT_CONTENT } from './matcher.js';
import type { RuleInput, TargetInput } from './rule-syntax.js';
import { DEFAULT_RULE_SEVERITIES } from './rule-vocabulary.js';
import { NOTIFICATION_RULES, type NotificationRule, type RuleMode, type TenantScope } from './store-schema.js';

/** Whether email can be sent, and if not, why (said when a rule would need it). */
export interface EmailAvailability {
  readonly available: boolean;
  readonly reason: string;
}

/** Who is changing rules, and where they typed it (for `to:here`). */
export interface RuleChangeContext {
  readonly actor: Actor;
  /** The conversation the change was typed in (`to:here` means it). */
  readonly place: { readonly conversationId: string; readonly kind: ConversationKind };
}

export interface RuleChange {
  readonly rule: NotificationRule;
  /** Things that are allowed but probably not what the user expects. */
  readonly warnings: string[];
}

const MAX_RULES = 200;
const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * Notification rules: made, changed, paused and removed from chat or the rule form. Every change
 * is checked as a whole, and refused with the exact reason: which key, which value, what is allowed.
 */
export class RuleService {
  /** Routing reads the rules straight from here (and rebuilds its index when their version moves). */
  readonly records: Collection<NotificationRule>;

  constructor(
    private readonly deps: {
      storage: Storage;
      tenants: TenantRegistry;
      links: ChannelLinks;
      conversations: ConversationRegistry;
      clock: Clock;
      logger: Logger;
      email: EmailAvailability;
    },
  ) {
    this.records = deps.storage.collection(NOTIFICATION_RULES);
  }

  get email(): EmailAvailability {
    return this.deps.email;
  }

  /** Every stored rule, oldest first (copies). */
  list(): NotificationRule[] {
    return this.records.all().map((r) => structuredClone(r));
  }

  get(id: string): NotificationRule {
    const rule = this.records.get(id.toLowerCase());
    if (rule) return structuredClone(rule);
    const ids = this.records.all().map((r) => r.id);
    throw new NotFoundError(`There is no rule "${id.slice(0, 20)}".${ids.length ? ` Rules: ${ids.slice(0, 20).join(', ')} ("rules" lists them).` : ' There are no rules yet.'}`);
  }

  /** The tenants a rule covers now (offboarded ones never). */
  coveredTenants(rule: Pick<NotificationRule, 'tenants'>): TenantRecord[] {
    return this.deps.tenants.all().filter((t) => t.status !== 'offboarded' && inScope(rule.tenants, t.tenantId));
  }

  async add(name: string, input: RuleInput, ctx: RuleChangeContext): Promise<RuleChange> {
    const now = this.deps.clock.now().toISOString();
    const targets = input.targets ?? { linkedChannels: true, here: false, channelRefs: [], emails: [] };
    const draft: Omit<NotificationRule, 'id'> = {
      name,
      enabled: input.enabled ?? true,
      tenants: { scope: 'all' },
      severities: [...(input.severities ?? DEFAULT_RULE_SEVERITIES)],
      deviceGroups: [...(input.deviceGroups ?? [])],
      serviceSources: [...(input.serviceSources ?? [])],
      detectionSources: [...(input.detectionSources ?? [])],
      categories: [...(input.categories ?? [])],
      ...(input.titleContains ? { titleContains: input.titleContains } : {}),
      content: { ...(input.content ?? DEFAULT_CONTENT) },
      targets: { linkedChannels: false, channels: [], emails: [] },
      mode: input.mode ?? modeFor(targets),
      createdBy: ctx.actor.userId ?? 'unknown',
      createdByName: ctx.actor.displayName,
      createdAt: now,
      updatedAt: now,
    };
    const rule = this.resolve(draft, { ...input, targets }, ctx) as Omit<NotificationRule, 'id'>;
    const { stored, wasEmpty } = await this.records.write((draft) => {
      const rules = draft.all();
      if (rules.length >= MAX_RULES) throw new ConflictError(`There are already ${MAX_RULES} rules; remove some first.`);
      assertUniqueName(rules, rule.name);
      const created: NotificationRule = { id: newId(rules), ...rule };
      draft.put(created);
      return { stored: structuredClone(created), wasEmpty: rules.length === 0 };
    });
    this.deps.logger.info({ event: 'rule.added', ruleId: stored.id, userId: ctx.actor.userId }, 'notification rule added');
    const warnings = this.warnings(stored);
    if (wasEmpty) {
      warnings.push('This is the first rule, so the built-in default (medium and higher to each tenant\'s linked channels) no longer applies. To keep it, add: rule add "Linked channels" severity:medium+ to:channels');
    }
    return { rule: stored, warnings };
  }

  async edit(id: string, input: RuleInput, ctx: RuleChangeContext): Promise<RuleChange> {
    const current = this.get(id);
    const mode = input.mode ?? (input.targets ? modeFor(input.targets) : current.mode);
    const merged: NotificationRule = {
      ...current,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(input.severities !== undefined ? { severities: [...input.severities] } : {}),
      ...(input.deviceGroups !== undefined ? { deviceGroups: [...input.deviceGroups] } : {}),
      ...(input.serviceSources !== undefined ? { serviceSources: [...input.serviceSources] } : {}),
      ...(input.detectionSources !== undefined ? { detectionSources: [...input.detectionSources] } : {}),
      ...(input.categories !== undefined ? { categories: [...input.categories] } : {}),
      ...(input.content !== undefined ? { content: { ...input.content } } : {}),
      mode,
      updatedBy: ctx.actor.userId ?? 'unknown',
      updatedByName: ctx.actor.displayName,
      updatedAt: this.deps.clock.now().toISOString(),
    };
    if (input.titleContains === null) delete merged.titleContains;
    else if (input.titleContains !== undefined) merged.titleContains = input.titleContains;
    const rule = this.resolve(merged, input, ctx) as NotificationRule;
    const stored = await this.records.write((draft) => {
      if (!draft.get(current.id)) throw new NotFoundError(`Rule ${current.id} was removed meanwhile.`);
      assertUniqueName(draft.all().filter((r) => r.id !== current.id), rule.name);
      draft.put(structuredClone(rule));
      return structuredClone(rule);
    });
    this.deps.logger.info({ event: 'rule.edited', ruleId: stored.id, userId: ctx.actor.userId }, 'notification rule edited');
    return { rule: stored, warnings: this.warnings(stored) };
  }

  async remove(id: string, ctx: RuleChangeContext): Promise<{ rule: NotificationRule; remaining: number }> {
    const rule = this.get(id);
    const remaining = await this.records.write((draft) => {
      draft.delete(rule.id);
      return draft.all().length;
    });
    this.deps.logger.info({ event: 'rule.removed', ruleId: rule.id, userId: ctx.actor.userId }, 'notification rule removed');
    return { rule, remaining };
  }

  /** Pauses or resumes; says whether anything changed. */
  async setEnabled(id: string, enabled: boolean, ctx: RuleChangeContext): Promise<{ rule: NotificationRule; changed: boolean }> {
    const rule = this.get(id);
    const now = this.deps.clock.now().toISOString();
    const changed = await this.records.write((draft) => {
      const stored = draft.get(rule.id);
      if (!stored || stored.enabled === enabled) return false;
      draft.put({ ...stored, enabled, updatedAt: now, updatedBy: ctx.actor.userId ?? 'unknown', updatedByName: ctx.actor.displayName });
      return true;
    });
    if (changed) {
      this.deps.logger.info({ event: enabled ? 'rule.resumed' : 'rule.paused', ruleId: rule.id, userId: ctx.actor.userId }, 'notification rule paused or resumed');
    }
    return { rule: { ...rule, enabled }, changed };
  }

  /** Tenants and channels named by the user become ids; the whole rule is then checked. */
  private resolve<T extends Omit<NotificationRule, 'id'>>(draft: T, input: RuleInput, ctx: RuleChangeContext): T {
    const rule = structuredClone(draft);
    if (input.tenants) rule.tenants = this.scopeOf(input.tenants, ctx.actor);
    const covered = this.coveredTenants(rule);
    if (input.targets) {
      rule.targets = {
        linkedChannels: input.targets.linkedChannels,
        channels: this.channelsOf(input.targets, ctx),
        emails: [...input.targets.emails],
      };
    }
    this.checkChannels(rule, covered);
    this.checkMode(rule);
    return rule;
  }

  private scopeOf(input: NonNullable<RuleInput['tenants']>, actor: Actor): TenantScope {
    if (input.scope === 'all') return { scope: 'all' };
    const key = input.scope === 'only' ? 'tenants' : 'except';
    const ids = input.refs.map((ref) => {
      try {
        return this.deps.tenants.resolve(ref, actor).tenantId;
      } catch (error) {
        if (error instanceof NotFoundError) throw new UsageError(`${key}: ${error.userMessage}`);
        throw error;
      }
    });
    return { scope: input.scope, tenantIds: [...new Set(ids)] };
  }

  private channelsOf(targets: TargetInput, ctx: RuleChangeContext): string[] {
    const ids: string[] = [];
    if (targets.here) {
      if (ctx.place.kind === 'personal') throw new UsageError('to: "here" means this conversation, but alerts cannot go to a personal chat. Type the rule in the channel that should receive alerts, or name it.');
      ids.push(ctx.place.conversationId);
    }
    for (const ref of targets.channelRefs) ids.push(this.channelOf(ref));
    return [...new Set(ids)];
  }

  /** A conversation id, or the name of a linked channel or group chat. */
  private channelOf(ref: string): string {
    const byId = this.deps.conversations.get(ref);
    if (byId) return byId.id;
    const linkedIds = this.deps.links.linkedConversationIds();
    const named = linkedIds
      .map((id) => ({ id, conversation: this.deps.conversations.get(id) }))
      .filter(({ id, conversation }) => [placeNameOf(conversation, id), conversation?.channelName, conversation?.title].some((n) => n?.toLowerCase() === ref.toLowerCase()));
    if (named.length === 1 && named[0]) return named[0].id;
    const known = linkedIds.slice(0, 10).map((id) => `"${this.deps.links.placeName(id)}"`).join(', ');
    if (named.length > 1) throw new UsageError(`to: several linked conversations are called "${ref.slice(0, 60)}"; use "here" in the one you mean, or its conversation id ("channels" shows them).`);
    throw new UsageError(`to: "${ref.slice(0, 60)}" is not a linked channel or group chat.${known ? ` Linked: ${known}.` : ' No conversation is linked yet: run "link <tenant>" in a channel first.'} Use channels, here, a linked channel's name or id, or an email address.`);
  }

  /** A specific channel must be linked to at least one tenant the rule covers, or it would receive nothing. */
  private checkChannels(rule: Omit<NotificationRule, 'id'>, covered: readonly TenantRecord[]): void {
    for (const conversationId of rule.targets.channels) {
      if (covered.some((t) => this.deps.links.isLinked(conversationId, t.tenantId))) continue;
      const place = this.deps.links.placeName(conversationId);
      throw new UsageError(
        `to: ${place} is not linked to ${covered.length === 0 ? 'any tenant this rule covers' : describeTenants(covered)}, and alerts only go to conversations linked to their customer. Run "link <tenant>" there first, or choose other targets.`,
      );
    }
  }

  private checkMode(rule: Omit<NotificationRule, 'id'>): void {
    const teamsTargets = rule.targets.linkedChannels || rule.targets.channels.length > 0;
    const emailTargets = rule.targets.emails.length > 0;
    if (rule.mode !== 'email' && !teamsTargets) {
      throw new UsageError(`mode: ${rule.mode} sends to Teams, but the rule has no Teams target. Add to:channels (each tenant's linked channels), to:here or a linked channel${rule.mode === 'teams' && emailTargets ? ', or use mode:email' : ''}.`);
    }
    if (rule.mode !== 'teams' && !emailTargets) {
      throw new UsageError(`mode: ${rule.mode} sends email, but the rule has no email address. Add one with to:name@example.com${rule.mode === 'email' && teamsTargets ? ', or use mode:teams' : ''}.`);
    }
    if (rule.mode !== 'teams' && !this.deps.email.available) {
      throw new UsageError(`mode: ${rule.mode} needs email, and ${this.deps.email.reason}`);
    }
  }

  private warnings(rule: NotificationRule): string[] {
    const warnings: string[] = [];
    if (!rule.enabled) warnings.push(`The rule is paused; "rule resume ${rule.id}" turns it on.`);
    const covered = this.coveredTenants(rule);
    if (covered.length === 0) warnings.push('No current tenant is covered by this rule.');
    if (rule.mode !== 'email' && rule.targets.linkedChannels) {
      const without = covered.filter((t) => this.deps.links.linksOf(t.tenantId).length === 0);
      if (without.length > 0) warnings.push(`No channel is linked to ${describeTenants(without)} yet, so "to:channels" reaches nothing for ${without.length === 1 ? 'it' : 'them'}: run "link <tenant>" in a channel.`);
    }
    if (rule.mode !== 'email') {
      for (const conversationId of rule.targets.channels) {
        const missing = covered.filter((t) => !this.deps.links.isLinked(conversationId, t.tenantId));
        if (missing.length > 0) warnings.push(`${this.deps.links.placeName(conversationId)} is not linked to ${describeTenants(missing)}, so it gets none of ${missing.length === 1 ? 'its' : 'their'} alerts.`);
      }
    }
    if (rule.mode === 'teams' && rule.targets.emails.length > 0) warnings.push('mode:teams: the email addresses are kept but get nothing until the mode is email or both.');
    if (rule.mode === 'email' && (rule.targets.linkedChannels || rule.targets.channels.length > 0)) warnings.push('mode:email: the Teams targets are kept but get nothing until the mode is teams or both.');
    return warnings;
  }
}

export function inScope(scope: TenantScope, tenantId: string): boolean {
  if (scope.scope === 'all') return true;
  const listed = scope.tenantIds.includes(tenantId);
  return scope.scope === 'only' ? listed : !listed;
}

function modeFor(targets: TargetInput): RuleMode {
  const teams = targets.linkedChannels || targets.here || targets.channelRefs.length > 0;
  const email = targets.emails.length > 0;
  return teams && email ? 'both' : email ? 'email' : 'teams';
}

function describeTenants(tenants: readonly TenantRecord[]): string {
  const names = tenants.map((t) => t.handle);
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}

function assertUniqueName(rules: readonly NotificationRule[], name: string): void {
  const clash = rules.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new ConflictError(`Rule ${clash.id} is already called "${clash.name}"; choose another name.`);
}

function newId(rules: readonly NotificationRule[]): string {
  for (;;) {
    let id = 'r';
    for (let i = 0; i < 4; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
    if (!rules.some((r) => r.id === id)) return id;
  }
}
