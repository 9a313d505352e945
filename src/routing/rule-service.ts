import { DEFAULT_GROUPING, DEFAULT_NOTIFY } from './rule-grouping.js';
import { createHash, randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { RuleTargetContext } from '../delivery/targets/target-kind.js';
import type { ConversationKind } from '../conversations/conversation-schema.js';
import type { Collection, Storage } from '../store/storage.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { describeTenants } from '../tenants/describe-tenants.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { ChannelLinks } from './channel-links.js';
import { DEFAULT_CONTENT, DEFAULT_RULE, usedTargets } from './matcher.js';
import type { RuleInput } from './rule-syntax.js';
import { escalationWarnings, resolveEscalation, type EscalationPeople } from './rule-escalation.js';
import { RuleTargets, kindsUsed } from './rule-targets.js';
import { DEFAULT_RULE_SEVERITIES } from './rule-vocabulary.js';
import { NOTIFICATION_RULES, type NotificationRule, type TenantScope } from './store-schema.js';

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

/** The most rules a deployment keeps. */
export const MAX_RULES = 200;
const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/**
 * Notification rules: made, changed, paused and removed from chat or the rule form. Every change
 * is checked as a whole, and refused with the exact reason: which key, which value, what is allowed.
 */
export class RuleService {
  private readonly targets: RuleTargets;
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
      /** The target kinds rules may name. */
      targets: TargetRegistry;
      /** Who holds which role: the people an escalation mentions must be able to take an alert. */
      people: EscalationPeople;
    },
  ) {
    this.targets = new RuleTargets(deps.targets);
    this.records = deps.storage.collection(NOTIFICATION_RULES);
  }

  /** A stored rule's name by id: undefined for the built-in default (it names itself nowhere) and once removed. */
  nameOf(ruleId: string): string | undefined {
    return this.records.get(ruleId)?.name;
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

  /**
   * The enabled rules that would send the tenant's alerts to this conversation now that it is
   * linked (through each tenant's linked channels, or by naming it).
   */
  rulesReaching(conversationId: string, tenantId: string): NotificationRule[] {
    const route = { tenantId, linkedConversations: () => [conversationId], reaches: (id: string) => id === conversationId };
    return this.list().filter(
      (r) =>
        r.enabled &&
        this.coveredTenants(r).some((t) => t.tenantId === tenantId) &&
        usedTargets(r).some((ref) => this.deps.targets.get(ref.kind)?.built.rules.expand(ref, route).some((t) => t.conversationId === conversationId)),
    );
  }

  /** The rules that name this conversation among their targets. */
  rulesNaming(conversationId: string): NotificationRule[] {
    return this.list().filter((r) => r.targets.some((t) => t.value === conversationId));
  }

  /** The tenants a rule covers now (offboarded ones never). */
  coveredTenants(rule: Pick<NotificationRule, 'tenants'>): TenantRecord[] {
    return this.deps.tenants.all().filter((t) => t.status !== 'offboarded' && inScope(rule.tenants, t.tenantId));
  }

  async add(name: string, input: RuleInput, ctx: RuleChangeContext): Promise<RuleChange> {
    const draft = newRuleDraft(name, input, { by: ctx.actor.userId ?? 'unknown', byName: ctx.actor.displayName, at: this.deps.clock.now().toISOString() });
    const targets = input.targets ?? DEFAULT_RULE.targets;
    const rule = this.resolve(draft, { ...input, targets }, ctx) as Omit<NotificationRule, 'id'>;
    const { stored, wasEmpty } = await this.records.write((draft) => {
      const rules = draft.all();
      if (rules.length >= MAX_RULES) throw new ConflictError(`There are already ${MAX_RULES} rules; remove some first.`);
      assertUniqueName(rules, rule.name);
      const created: NotificationRule = { id: newRuleId(rules), ...rule };
      draft.put(created);
      return { stored: structuredClone(created), wasEmpty: rules.length === 0 };
    });
    this.deps.logger.info({ event: 'rule.added', ruleId: stored.id, userId: ctx.actor.userId }, 'notification rule added');
    const warnings = this.warnings(stored, ctx);
    if (wasEmpty) {
      warnings.push('This is the first rule, so the built-in default (medium and higher to each tenant\'s linked channels) no longer applies. To keep it, add: rule add "Linked channels" severity:medium+ to:channels');
    }
    return { rule: stored, warnings };
  }

  async edit(id: string, input: RuleInput, ctx: RuleChangeContext): Promise<RuleChange> {
    const current = this.get(id);
    // New targets without a mode: every kind they name is used again.
    const mode = input.mode ?? (input.targets ? [] : (current.mode ?? []));
    const { mode: _mode, ...rest } = current;
    const merged: NotificationRule = {
      ...rest,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      ...(input.severities !== undefined ? { severities: [...input.severities] } : {}),
      ...(input.deviceGroups !== undefined ? { deviceGroups: [...input.deviceGroups] } : {}),
      ...(input.serviceSources !== undefined ? { serviceSources: [...input.serviceSources] } : {}),
      ...(input.detectionSources !== undefined ? { detectionSources: [...input.detectionSources] } : {}),
      ...(input.categories !== undefined ? { categories: [...input.categories] } : {}),
      ...(input.content !== undefined ? { content: { ...input.content } } : {}),
      ...(mode.length > 0 ? { mode: [...mode] } : {}),
      ...(input.grouping !== undefined ? { grouping: input.grouping } : {}),
      ...(input.notify !== undefined ? { notify: input.notify } : {}),
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
    return { rule: stored, warnings: this.warnings(stored, ctx) };
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
    const targetContext = this.targetContext(rule, ctx);
    if (input.targets) rule.targets = this.targets.resolve(input.targets, targetContext);
    this.targets.check(rule, targetContext);
    const escalation = resolveEscalation(rule.escalation, input, { people: this.deps.people, targets: targetContext, postsToTeams: kindsUsed(this.deps.targets, rule).includes('teams') });
    if (escalation) rule.escalation = escalation;
    else delete rule.escalation;
    return rule;
  }

  private targetContext(rule: Pick<NotificationRule, 'tenants'>, ctx: RuleChangeContext): RuleTargetContext {
    return { place: ctx.place, covered: this.coveredTenants(rule), links: this.deps.links };
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

  private warnings(rule: NotificationRule, ctx: RuleChangeContext): string[] {
    const warnings: string[] = [];
    if (!rule.enabled) warnings.push(`The rule is paused; "rule resume ${rule.id}" turns it on.`);
    const targetContext = this.targetContext(rule, ctx);
    if (targetContext.covered.length === 0) warnings.push('No current tenant is covered by this rule.');
    warnings.push(...this.targets.warnings(rule, targetContext));
    warnings.push(...escalationWarnings(rule.escalation, targetContext));
    return warnings;
  }
}

export function inScope(scope: TenantScope, tenantId: string): boolean {
  if (scope.scope === 'all') return true;
  const listed = scope.tenantIds.includes(tenantId);
  return scope.scope === 'only' ? listed : !listed;
}

function assertUniqueName(rules: readonly NotificationRule[], name: string): void {
  const clash = rules.find((r) => r.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new ConflictError(`Rule ${clash.id} is already called "${clash.name}"; choose another name.`);
}

/**
 * A free rule id: `r` and four letters or digits that cannot be mistaken for each other. With a
 * `seed` (a configuration file's rule name) the same seed and rules give the same id, so what
 * `config diff` shows is what `config apply` stores.
 */
export function newRuleId(rules: readonly Pick<NotificationRule, 'id'>[], seed?: string): string {
  for (let attempt = 0; ; attempt++) {
    const bytes = seed === undefined ? undefined : createHash('sha256').update(`${seed}\n${attempt}`).digest();
    let id = 'r';
    for (let i = 0; i < 4; i++) id += ID_ALPHABET[bytes ? (bytes[i] ?? 0) % ID_ALPHABET.length : randomInt(ID_ALPHABET.length)];
    if (!rules.some((r) => r.id === id)) return id;
  }
}

/**
 * A new rule from `rule add` input (or a configuration file's entry): every field the input leaves
 * out takes its default. Tenants and targets are not resolved yet: the scope is `all` and there
 * are no targets until the caller resolves `input.tenants` and `input.targets`.
 */
export function newRuleDraft(name: string, input: RuleInput, creator: { by: string; byName: string; at: string }): Omit<NotificationRule, 'id'> {
  return {
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
    targets: [],
    ...(input.mode?.length ? { mode: [...input.mode] } : {}),
    grouping: input.grouping ?? DEFAULT_GROUPING,
    notify: input.notify ?? DEFAULT_NOTIFY,
    createdBy: creator.by,
    createdByName: creator.byName,
    createdAt: creator.at,
    updatedAt: creator.at,
  };
}
