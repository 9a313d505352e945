import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import type { Messenger } from '../conversations/messenger.js';
import type { EmailSender, OutgoingEmail } from '../delivery/ports.js';
import { alertEmailComposer, type ComposeInput } from '../email/alert-email.js';
import { createEmailSender } from '../email/create-sender.js';
import type { EmailConfig } from '../email/email-config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { ChangeSignal } from './change-signal.js';
import { ChannelLinks } from './channel-links.js';
import { DEFAULT_RULE_ID } from './matcher.js';
import { RuleRouter } from './router.js';
import { RuleService } from './rule-service.js';
import { RuleTester } from './rule-tester.js';

/** Routing's services, built once by the composition root; delivery takes router, links (LinkHealth) and emailSender. */
export interface Routing {
  readonly links: ChannelLinks;
  readonly rules: RuleService;
  readonly router: RuleRouter;
  readonly ruleTester: RuleTester;
  readonly emailSender: EmailSender;
  /** Renders an alert as the email a rule sends one address (same content as the card). */
  readonly emailComposer: { compose(input: ComposeInput): OutgoingEmail };
  /** Closes pooled SMTP connections. */
  close(): void;
}

export function createRouting(deps: {
  email: EmailConfig;
  store: Store;
  conversations: ConversationRegistry;
  tenants: TenantRegistry;
  messenger: Messenger;
  clock: Clock;
  logger: Logger;
  lastDeliveryAt?: (conversationId: string) => string | undefined;
}): Routing {
  const { store, conversations, tenants, clock, logger } = deps;
  const changes = new ChangeSignal();
  const email = createEmailSender(deps.email, { clock, logger });
  const links = new ChannelLinks({ store, conversations, clock, logger, changes, ...(deps.lastDeliveryAt ? { lastDeliveryAt: deps.lastDeliveryAt } : {}) });
  const rules = new RuleService({ store, tenants, links, conversations, clock, logger, changes, email: email.availability });
  const router = new RuleRouter({ store, changes });
  const ruleTester = new RuleTester({ rules, router, links, conversations, messenger: deps.messenger, email: email.sender, clock, logger });
  const emailComposer = alertEmailComposer((ruleId) => (ruleId === DEFAULT_RULE_ID ? undefined : rules.list().find((r) => r.id === ruleId)?.name));
  return { links, rules, router, ruleTester, emailSender: email.sender, emailComposer, close: () => email.close() };
}
