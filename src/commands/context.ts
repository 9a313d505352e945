import type { AlertActions } from '../alerts/alert-actions.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { IncidentActions } from '../incidents/incident-actions.js';
import type { IncidentService } from '../incidents/incident-service.js';
import type { Clock } from '../clock.js';
import type { SocNotifier } from '../notify/soc-notifier.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { ProactiveReach } from '../conversations/proactive-reach.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { RoleService } from '../roles/role-service.js';
import type { CardOrigin } from '../chat/outcome.js';
import type { ChatPlace } from '../chat/place.js';
import type { ActionVerb } from './action-verbs.js';
import type { CommandName } from './catalog.js';
import type { OnboardingService } from '../onboarding/onboarding-service.js';
import type { ChannelLinks } from '../routing/channel-links.js';
import type { RuleService } from '../routing/rule-service.js';
import type { RuleTester } from '../routing/rule-tester.js';
import type { DeliveryCoordinator } from '../delivery/delivery-coordinator.js';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { StatsService } from '../stats/stats-service.js';
import type { SummaryService } from '../summaries/summary-service.js';

/** The services command handlers may use. Grows as capabilities are added. */
export interface Services {
  readonly roles: RoleService;
  readonly conversations: ConversationRegistry;
  readonly tenants: TenantRegistry;
  readonly alerts: AlertService;
  readonly alertActions: AlertActions;
  /** Defender XDR incidents: lists, cards and the changes analysts make from them. */
  readonly incidents: IncidentService;
  readonly incidentActions: IncidentActions;
  readonly audit: AuditLog;
  readonly soc: SocNotifier;
  /** Customer onboarding: consent cards and callback, access guide, status, offboarding. */
  readonly onboarding: OnboardingService;
  /** Which conversations receive which customer's alerts (also the LinkHealth port). */
  readonly links: ChannelLinks;
  /** Whether Teams lets SOC Bridge post into a conversation on its own (checked before linking it). */
  readonly reach: ProactiveReach;
  readonly rules: RuleService;
  readonly ruleTester: RuleTester;
  /** The kinds of notification target (Teams, email, webhook…). */
  readonly targets: TargetRegistry;
  /** How delivery's targets are doing, for `rules` and `channels`. */
  readonly delivery: Pick<DeliveryCoordinator, 'targetHealth' | 'lastDeliveryAt'>;
  /** Alert statistics (`stats`, daily summaries). */
  readonly stats: StatsService;
  /** Daily summaries (`summary`). */
  readonly summaries: SummaryService;
}

/** A command name or a card verb: what the route table has a row for. */
export type RouteName = CommandName | ActionVerb;

/** What every handler gets, whatever started it: one object, so handlers can be called directly in tests. */
export interface RunContext {
  readonly actor: Actor;
  readonly place: ChatPlace;
  readonly services: Services;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Whether this actor may use a command or card verb (to offer only the buttons that work for them). */
  readonly may: (route: RouteName) => boolean;
}

/** A command handler's argument. */
export interface HandlerContext<C> extends RunContext {
  readonly command: C;
}

/** A card verb handler's argument: the validated payload and the card clicked. */
export interface ActionContext<P> extends RunContext {
  readonly payload: P;
  readonly origin: CardOrigin;
}
