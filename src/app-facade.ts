import type { Services } from './commands/context.js';
import type { Alert } from './defender/alert.js';
import type { AlertRouter, RoutedTarget } from './delivery/ports.js';
import type { DeliveryLedger } from './delivery/ledger.js';
import type { DeliveryRecord } from './delivery/store-schema.js';
import type { OnboardingRecord } from './onboarding/store-schema.js';
import type { RoleHolder } from './roles/role-service.js';
import type { LinkHealthState } from './routing/channel-links.js';
import type { NotificationRule } from './routing/store-schema.js';
import type { AuditEntry } from './audit/audit-schema.js';
import type { SummarySchedule } from './summaries/summary-schema.js';
import type { ConversationRecord } from './conversations/conversation-schema.js';
import type { TenantRecord } from './tenants/tenant-schema.js';
import { NotFoundError } from './errors.js';

/** A channel link as the SOC sees it in `channels`. */
export interface LinkState {
  readonly tenantId: string;
  readonly conversationId: string;
  /** How people recognise the conversation, e.g. `SOC › Contoso alerts`. */
  readonly place: string;
  readonly health: LinkHealthState;
  /** Why the link does not work, when it does not. */
  readonly reason: string | undefined;
}

/**
 * The questions tests ask a running SOC Bridge about its state, in the product's terms, answered by
 * the capabilities' own services and never by reading storage, so the tests stay true whatever
 * holds the data. Read-only; every answer is a copy. Async because the services behind it will
 * be backed by a database.
 */
export interface AppFacade {
  /** The role a user (Entra object id) holds, bootstrap admins included. */
  roleOf(userId: string): Promise<RoleHolder | undefined>;
  /** Everyone with a role: bootstrap admins first, then by role and name (as `roles` shows them). */
  roleHolders(): Promise<RoleHolder[]>;
  /** The customer tenant named by handle, tenant id or domain, whatever its status. */
  tenant(ref: string): Promise<TenantRecord | undefined>;
  /** Every customer tenant ever added, offboarded ones included, by name. */
  tenants(): Promise<TenantRecord[]>;
  /** What SOC Bridge knows about a conversation it was added to or heard from. */
  conversation(conversationId: string): Promise<ConversationRecord | undefined>;
  /** Channel links with their health, optionally of one tenant and/or in one conversation. */
  channelLinks(filter?: { readonly tenant?: string; readonly conversationId?: string }): Promise<LinkState[]>;
  /** Every notification rule, oldest first. */
  rules(): Promise<NotificationRule[]>;
  rule(id: string): Promise<NotificationRule | undefined>;
  /** Where a new alert of this tenant would be delivered now, and by which rule. */
  routeOf(tenantRef: string, alert: Alert): Promise<RoutedTarget[]>;
  /** The tenant's onboarding record: consent link and answer, access-guide progress, history. */
  onboarding(tenantRef: string): Promise<OnboardingRecord | undefined>;
  /** The audit trail, newest first, optionally of one tenant. */
  auditTrail(filter?: { readonly tenant?: string }): Promise<AuditEntry[]>;
  /** The conversation operational notices go to (`soc-channel`), while the bot is still there. */
  socChannel(): Promise<string | undefined>;
  /** Every delivery record kept (one per alert and target): its target, state and error, in creation order; none on an instance that does not run delivery. */
  deliveries(): Promise<DeliveryRecord[]>;
  /** The conversation's daily summary schedule, with the last day sent. */
  summarySchedule(conversationId: string): Promise<SummarySchedule | undefined>;
}

/** Builds the facade over the composed services. */
export function createAppFacade({ services, router, delivery }: { services: Services; router: AlertRouter; delivery: { readonly running: { readonly ledger: Pick<DeliveryLedger, 'stored'> } | undefined } }): AppFacade {
  const { roles, tenants, conversations, links, rules, onboarding, audit, soc } = services;
  const tenantIdOf = (ref: string) => tenants.find(ref)?.tenantId;
  return {
    roleOf: async (userId) => roles.holderOf(userId),
    roleHolders: async () => roles.list(),
    tenant: async (ref) => tenants.find(ref),
    tenants: async () => tenants.all(),
    conversation: async (conversationId) => conversations.get(conversationId),
    channelLinks: async ({ tenant, conversationId } = {}) => {
      const onlyTenantId = tenant === undefined ? undefined : tenantIdOf(tenant);
      if (tenant !== undefined && onlyTenantId === undefined) return [];
      return links
        .views(tenants.all(), onlyTenantId)
        .filter((view) => conversationId === undefined || view.link.conversationId === conversationId)
        .map((view) => ({ tenantId: view.link.tenantId, conversationId: view.link.conversationId, place: view.place, health: view.health, reason: view.reason }));
    },
    rules: async () => rules.list(),
    rule: async (id) => rules.list().find((rule) => rule.id === id),
    routeOf: async (tenantRef, alert) => {
      const tenant = tenants.find(tenantRef);
      if (!tenant) throw new NotFoundError(`There is no customer tenant "${tenantRef}".`);
      return router.route(tenant, alert);
    },
    onboarding: async (tenantRef) => {
      const tenantId = tenantIdOf(tenantRef);
      return tenantId === undefined ? undefined : onboarding.recordOf(tenantId);
    },
    auditTrail: async ({ tenant } = {}) => {
      if (tenant === undefined) return audit.recent({ top: Number.POSITIVE_INFINITY });
      const tenantId = tenantIdOf(tenant);
      return tenantId === undefined ? [] : audit.recent({ tenantId, top: Number.POSITIVE_INFINITY });
    },
    socChannel: async () => soc.socConversationId(),
    deliveries: async () => {
      const ledger = delivery.running?.ledger;
      const stored: DeliveryRecord[] = [];
      if (ledger) for await (const record of ledger.stored()) if (record.section === 'deliveries') stored.push(record.record);
      return stored.sort((a, b) => a.seq - b.seq);
    },
    summarySchedule: async (conversationId) => {
      const schedule = services.summaries.get(conversationId);
      return schedule ? { ...schedule, tenantIds: [...schedule.tenantIds] } : undefined;
    },
  };
}
