import type { Alert } from '../defender/alert.js';
import type { AlertRouter, ContentOptions, DeliveryTarget, RoutedTarget } from '../delivery/ports.js';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { RouteContext } from '../delivery/targets/target-kind.js';
import type { ConversationRecord, StoreData, TenantRecord } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { ChangeSignal } from './change-signal.js';
import type { NotificationRule } from './store-schema.js';
import { AlertFacts, DEFAULT_RULE, compileRule, ruleMatches, type CompiledRule } from './matcher.js';

/** The lookups routing needs, built from the store once per change. */
interface RoutingIndex {
  readonly version: number;
  readonly data: Readonly<StoreData>;
  readonly conversationCount: number;
  readonly rules: readonly CompiledRule[];
  /** Tenant id → conversations linked to it whose link is not broken. */
  readonly linked: ReadonlyMap<string, readonly string[]>;
  /** `tenantId\nconversationId` of every working link. */
  readonly links: ReadonlySet<string>;
  /** The store's own records, so a bot removal (made in place) is seen without a rebuild. */
  readonly conversations: ReadonlyMap<string, Readonly<ConversationRecord>>;
}

/**
 * Routes a tenant's alert through every enabled rule that selects it (or, while there are no
 * rules at all, the default rule). Pure and in memory: it runs for every new alert.
 *
 * Isolation: a conversation is returned only when it is linked to the alert's tenant, its link
 * works and the bot is still there (the route context each target kind expands its references
 * with). A rule naming a specific channel cannot widen that: the channel gets the alerts of the
 * tenants it is linked to and no others.
 */
export class RuleRouter implements AlertRouter {
  private index: RoutingIndex | undefined;

  constructor(private readonly deps: { store: Store; changes: ChangeSignal; targets: TargetRegistry }) {}

  route(tenant: TenantRecord, alert: Alert): RoutedTarget[] {
    if (tenant.status === 'offboarded') return [];
    const index = this.current();
    const facts = new AlertFacts(alert);
    const tenantId = tenant.tenantId;
    const route = routeContext(index, tenantId);
    const out = new Map<string, { target: DeliveryTarget; ruleId: string; options: ContentOptions }>();
    const add = (target: DeliveryTarget, rule: CompiledRule) => {
      const key = this.deps.targets.keyOf(target);
      const existing = out.get(key);
      if (!existing) out.set(key, { target, ruleId: rule.id, options: { ...rule.content } });
      else existing.options = orOptions(existing.options, rule.content);
    };
    for (const rule of index.rules) {
      if (!ruleMatches(rule, tenantId, facts)) continue;
      for (const target of this.expand(rule, route)) add(target, rule);
    }
    return [...out.values()];
  }

  /**
   * Where one rule would send a tenant's alert, whatever its filters and even when paused (for
   * `rule test`), under the same isolation as `route`.
   */
  targetsOf(rule: NotificationRule, tenant: TenantRecord): RoutedTarget[] {
    if (tenant.status === 'offboarded') return [];
    const compiled = compileRule(rule);
    const out = new Map<string, RoutedTarget>();
    for (const target of this.expand(compiled, routeContext(this.current(), tenant.tenantId))) out.set(this.deps.targets.keyOf(target), { target, ruleId: rule.id, options: { ...compiled.content } });
    return [...out.values()];
  }

  /** Each reference expanded by its kind; a kind no longer configured reaches nothing. */
  private *expand(rule: CompiledRule, route: RouteContext): Generator<DeliveryTarget> {
    for (const ref of rule.targets) yield* this.deps.targets.get(ref.kind)?.built.rules.expand(ref, route) ?? [];
  }

  private current(): RoutingIndex {
    const data = this.deps.store.read();
    const index = this.index;
    if (index && index.version === this.deps.changes.version && index.data === data && index.conversationCount === data.conversations.length) return index;
    this.index = buildIndex(data, this.deps.changes.version);
    return this.index;
  }
}

function routeContext(index: RoutingIndex, tenantId: string): RouteContext {
  const present = (conversationId: string) => index.conversations.get(conversationId)?.active === true;
  return {
    tenantId,
    linkedConversations: () => (index.linked.get(tenantId) ?? []).filter(present),
    reaches: (conversationId) => index.links.has(`${tenantId}\n${conversationId}`) && present(conversationId),
  };
}

function buildIndex(data: Readonly<StoreData>, version: number): RoutingIndex {
  const stored = data.rules;
  const rules = (stored.length === 0 ? [DEFAULT_RULE] : stored.filter((r) => r.enabled)).map(compileRule);
  const linked = new Map<string, string[]>();
  const links = new Set<string>();
  for (const link of data.channelLinks) {
    if (link.broken) continue;
    links.add(`${link.tenantId}\n${link.conversationId}`);
    const list = linked.get(link.tenantId);
    if (list) list.push(link.conversationId);
    else linked.set(link.tenantId, [link.conversationId]);
  }
  const conversations = new Map(data.conversations.map((c) => [c.id, c]));
  return { version, data, conversationCount: data.conversations.length, rules, linked, links, conversations };
}

function orOptions(a: ContentOptions, b: ContentOptions): ContentOptions {
  return {
    includeOrgName: a.includeOrgName || b.includeOrgName,
    includePortalLink: a.includePortalLink || b.includePortalLink,
    includeDeviceInfo: a.includeDeviceInfo || b.includeDeviceInfo,
  };
}
