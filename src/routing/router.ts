import type { Alert } from '../defender/alert.js';
import { targetKey, type AlertRouter, type ContentOptions, type DeliveryTarget, type RoutedTarget } from '../delivery/ports.js';
import type { CollectionReader } from '../store/storage.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { ChannelLink, NotificationRule } from './store-schema.js';
import { AlertFacts, DEFAULT_RULE, compileRule, ruleMatches, type CompiledRule } from './matcher.js';

/** The lookups routing needs, built once per change of rules, links or conversations. */
interface RoutingIndex {
  /** The versions of rules, links and conversations the index was built from. */
  readonly versions: string;
  readonly rules: readonly CompiledRule[];
  /** Tenant id → conversations linked to it whose link is not broken. */
  readonly linked: ReadonlyMap<string, readonly string[]>;
  /** `tenantId\nconversationId` of every working link. */
  readonly links: ReadonlySet<string>;
}

/** Where routing reads rules, links and conversations. */
export interface RoutingSources {
  readonly rules: CollectionReader<NotificationRule>;
  readonly links: CollectionReader<ChannelLink>;
  readonly conversations: { readonly version: number; get(id: string): { readonly active: boolean } | undefined };
}

/**
 * Routes a tenant's alert through every enabled rule that selects it (or, while there are no
 * rules at all, the default rule). Pure and in memory: it runs for every new alert.
 *
 * Isolation: a Teams target is returned only for a conversation linked to the alert's tenant, whose
 * link works and where the bot still is. A rule naming a specific channel cannot widen that: the
 * channel gets the alerts of the tenants it is linked to and no others.
 */
export class RuleRouter implements AlertRouter {
  private index: RoutingIndex | undefined;

  constructor(private readonly sources: RoutingSources) {}

  route(tenant: TenantRecord, alert: Alert): RoutedTarget[] {
    if (tenant.status === 'offboarded') return [];
    const index = this.current();
    const facts = new AlertFacts(alert);
    const tenantId = tenant.tenantId;
    const out = new Map<string, { target: DeliveryTarget; ruleId: string; options: ContentOptions }>();
    const add = (target: DeliveryTarget, rule: CompiledRule) => {
      const key = targetKey(target);
      const existing = out.get(key);
      if (!existing) out.set(key, { target, ruleId: rule.id, options: { ...rule.content } });
      else existing.options = orOptions(existing.options, rule.content);
    };
    for (const rule of index.rules) {
      if (!ruleMatches(rule, tenantId, facts)) continue;
      for (const target of this.expand(index, rule, tenantId)) add(target, rule);
    }
    return [...out.values()];
  }

  /**
   * Where one rule would send a tenant's alert, whatever its filters and even when paused (for
   * `rule test`), under the same isolation as `route`.
   */
  targetsOf(rule: NotificationRule, tenant: TenantRecord): RoutedTarget[] {
    if (tenant.status === 'offboarded') return [];
    const index = this.current();
    const compiled = compileRule(rule);
    const out = new Map<string, RoutedTarget>();
    for (const target of this.expand(index, compiled, tenant.tenantId)) out.set(targetKey(target), { target, ruleId: rule.id, options: { ...compiled.content } });
    return [...out.values()];
  }

  private *expand(index: RoutingIndex, rule: CompiledRule, tenantId: string): Generator<DeliveryTarget> {
    if (rule.toLinkedChannels) {
      for (const conversationId of index.linked.get(tenantId) ?? []) {
        if (this.present(conversationId)) yield { kind: 'teams', conversationId };
      }
    }
    for (const conversationId of rule.toChannels) {
      if (index.links.has(`${tenantId}\n${conversationId}`) && this.present(conversationId)) yield { kind: 'teams', conversationId };
    }
    for (const address of rule.toEmails) yield { kind: 'email', address };
  }

  /** Whether the bot is still in the conversation (read live: a removal needs no rebuild). */
  private present(conversationId: string): boolean {
    return this.sources.conversations.get(conversationId)?.active === true;
  }

  /** The index, rebuilt when the rules or links changed anywhere (their versions say so). */
  private current(): RoutingIndex {
    const { rules, links } = this.sources;
    const versions = `${rules.version}/${links.version}`;
    if (this.index?.versions === versions) return this.index;
    this.index = buildIndex(rules.all(), links.all(), versions);
    return this.index;
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
