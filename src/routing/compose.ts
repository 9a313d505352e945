import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { DeliveryTarget, SampleDelivery } from '../delivery/ports.js';
import type { TargetRegistry } from '../delivery/targets/registry.js';
import type { Logger } from '../log.js';
import type { Storage } from '../store/storage.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { ChannelLinks } from './channel-links.js';
import { RuleRouter } from './router.js';
import type { EscalationPeople } from './rule-escalation.js';
import { RuleService } from './rule-service.js';
import { RuleTester } from './rule-tester.js';

/** Routing's services, built once by the composition root; delivery takes router and links (LinkHealth). */
export interface Routing {
  readonly links: ChannelLinks;
  readonly rules: RuleService;
  readonly router: RuleRouter;
  readonly ruleTester: RuleTester;
}

export function createRouting(deps: {
  storage: Storage;
  conversations: ConversationRegistry;
  tenants: TenantRegistry;
  targets: TargetRegistry;
  /** Who holds which role (the people escalations mention). */
  people: EscalationPeople;
  /** Where `rule test` sends its samples: delivery's outbox. */
  samples: SampleDelivery;
  clock: Clock;
  logger: Logger;
  lastDeliveryAt?: (target: DeliveryTarget) => string | undefined;
}): Routing {
  const { storage, conversations, tenants, targets, people, clock, logger } = deps;
  const lastDeliveryAt = deps.lastDeliveryAt;
  const links = new ChannelLinks({ storage, conversations, clock, logger, ...(lastDeliveryAt ? { lastDeliveryAt: (conversationId: string) => lastDeliveryAt({ kind: 'teams', conversationId }) } : {}) });
  const rules = new RuleService({ storage, tenants, links, conversations, clock, logger, targets, people });
  const router = new RuleRouter({ rules: rules.records, links: links.records, conversations, targets });
  const ruleTester = new RuleTester({ rules, router, links, targets, samples: deps.samples, clock, logger });
  return { links, rules, router, ruleTester };
}
