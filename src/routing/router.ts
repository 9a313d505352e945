import type { Alert } from '../defender/alert.js';
import type { AlertRouter, DeliveryGrouping, DeliveryTarget, RoutedTarget } from '../delivery/ports.js';
import type { ContentOptions } from '../alerts/notification-card.js';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { RouteContext } from '../delivery/targets/target-kind.js';
import type { CollectionReader } from '../store/storage.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { ChannelLink, NotificationRule } from './store-schema.js';
import { AlertFacts, DEFAULT_RULE, compileRule, ruleMatches, type CompiledRule } from './matcher.js';

/** The lookups routing needs, built once per change of rules or links. */
interface RoutingIndex {
  /** The versions of rules and links the index was built from. */
  readonly versions: string;
  readonly rules: readonly CompiledRule[];
  /** Tenant id → conversations linked to it whose link is not broken. */
  readonly linked: ReadonlyMap<string, readonly string[]>;
  /** `tenantId\nconversationId` of every working link. */
  readonly links: ReadonlySet<string>;
}

/** Where routing reads rules, links and conversations, and the target kinds it expands references with. */
export interface RoutingSources {
  readonly rules: CollectionReader<NotificationRule>;
  readonly links: CollectionReader<ChannelLink>;
  /** Read live: a bot removed from a conversation needs no rebuild. */
  readonly conversations: { get(id: string): { readonly active: boolean } | undefined };
  readonly targets: TargetRegistry;
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

  constructor(private readonly deps: RoutingSources) {}

  route(tenant: TenantRecord, alert: Alert): RoutedTarget[] {
    if (tenant.status === 'offboarded') return [];
    const index = this.current();
    const facts = new AlertFacts(alert);
    const tenantId = tenant.tenantId;
    const route = this.routeContext(index, tenantId);
    const out = new Map<string, { target: DeliveryTarget; ruleId: string; options: ContentOptions; grouping: DeliveryGrouping; notify: 'first' | 'every' }>();
    const add = (target: DeliveryTarget, rule: CompiledRule) => {
      const key = this.deps.targets.keyOf(target);
      const existing = out.get(key);
      if (!existing) out.set(key, { target, ruleId: rule.id, options: { ...rule.content }, grouping: rule.grouping, notify: rule.notify });
      else {
        // Rules reaching one target combine towards more: a card per alert, every alert.
        existing.options = orOptions(existing.options, rule.content);
        if (rule.grouping === 'alert') existing.grouping = 'alert';
        if (rule.notify === 'every') existing.notify = 'every';
      }
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
    for (const target of this.expand(compiled, this.routeContext(this.current(), tenant.tenantId))) out.set(this.deps.targets.keyOf(target), { target, ruleId: rule.id, options: { ...compiled.content }, grouping: compiled.grouping, notify: compiled.notify });
    return [...out.values()];
  }

  /** Each reference expanded by its kind; a kind no longer configured reaches nothing. */
  private *expand(rule: CompiledRule, route: RouteContext): Generator<DeliveryTarget> {
    for (const ref of rule.targets) yield* this.deps.targets.get(ref.kind)?.built.rules.expand(ref, route) ?? [];
  }

  private current(): RoutingIndex {
    const { rules, links } = this.deps;
    const versions = `${rules.version}/${links.version}`;
    if (this.index?.versions === versions) return this.index;
    this.index = buildIndex(rules.all(), links.all(), versions);
    return this.index;
  }

  private routeContext(index: RoutingIndex, tenantId: string): RouteContext {
    const present = (conversationId: string) => this.deps.conversations.get(conversationId)?.active === true;
    return {
      tenantId,
      linkedConversations: () => (index.linked.get(tenantId) ?? []).filter(present),
      reaches: (conversationId) => index.links.has(`${tenantId}\n${conversationId}`) && present(conversationId),
    };
  }
}

function buildIndex(stored: readonly NotificationRule[], channelLinks: readonly ChannelLink[], versions: string): RoutingIndex {
  const rules = (stored.length === 0 ? [DEFAULT_RULE] : stored.filter((r) => r.enabled)).map(compileRule);
  const linked = new Map<string, string[]>();
  const links = new Set<string>();
  for (const link of channelLinks) {
    if (link.broken) continue;
    links.add(`${link.tenantId}\n${link.conversationId}`);
    const list = linked.get(link.tenantId);
    if (list) list.push(link.conversationId);
    else linked.set(link.tenantId, [link.conversationId]);
  }
  return { versions, rules, linked, links };
}

function orOptions(a: ContentOptions, b: ContentOptions): ContentOptions {
  return {
    includeOrgName: a.includeOrgName || b.includeOrgName,
    includePortalLink: a.includePortalLink || b.includePortalLink,
    includeDeviceInfo: a.includeDeviceInfo || b.includeDeviceInfo,
  };
}
