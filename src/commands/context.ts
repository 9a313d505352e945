import type { AlertActions } from '../alerts/alert-actions.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../clock.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { RoleService } from '../roles/role-service.js';
import type { ConversationKind } from '../store/schema.js';
import type { OnboardingService } from '../onboarding/onboarding-service.js';
import type { ChannelLinks } from '../routing/channel-links.js';
import type { RuleService } from '../routing/rule-service.js';
import type { RuleTester } from '../routing/rule-tester.js';

/** The services command handlers may use. Grows as capabilities are added. */
export interface Services {
  readonly roles: RoleService;
  readonly conversations: ConversationRegistry;
  readonly tenants: TenantRegistry;
  readonly alerts: AlertService;
  readonly alertActions: AlertActions;
  readonly audit: AuditLog;
  readonly soc: SocNotifier;
  /** Customer onboarding: consent cards and callback, access guide, status, offboarding. */
  readonly onboarding: OnboardingService;
  /** Which conversations receive which customer's alerts (also the LinkHealth port). */
  readonly links: ChannelLinks;
  readonly rules: RuleService;
  readonly ruleTester: RuleTester;
}

/** Where a command was typed. */
export interface ChatPlace {
  readonly conversationId: string;
  readonly kind: ConversationKind;
  /** The chat user's id in the chat service (in Teams, the `29:…` id). */
  readonly chatUserId?: string;
  /** The Teams organisation's Entra tenant. */
  readonly teamsTenantId?: string;
}

/** Everything a handler gets: one object, so handlers can be called directly in tests. */
export interface HandlerContext<C> {
  readonly command: C;
  readonly actor: Actor;
  readonly place: ChatPlace;
  readonly services: Services;
  readonly clock: Clock;
  readonly logger: Logger;
}
