import { cardReply } from '../chat/reply.js';
import type { Clock } from '../clock.js';
import type { ConversationRegistry } from '../conversations/conversation-registry.js';
import { ChatDeliveryError, type Messenger } from '../conversations/messenger.js';
import { EmailDeliveryError, targetKey, type EmailSender, type RoutedTarget } from '../delivery/ports.js';
import { renderAlertEmail } from '../email/alert-email.js';
import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { ChannelLinks } from './channel-links.js';
import { notificationCard } from './notification-card.js';
import type { RuleRouter } from './router.js';
import type { RuleService } from './rule-service.js';
import { sampleAlert } from './sample-alert.js';
import type { NotificationRule } from './store-schema.js';

/** One sample sent (or not) by `rule test`. */
export interface TestDelivery {
  readonly kind: 'teams' | 'email';
  /** The channel's name or the address. */
  readonly target: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface TestReport {
  readonly rule: NotificationRule;
  readonly deliveries: TestDelivery[];
  /** Why some targets got nothing (e.g. a tenant with no linked channel). */
  readonly notes: string[];
}

const MAX_TEST_TARGETS = 25;

/** Placeholder customer for email samples of a rule that covers no tenant yet. */
const SAMPLE_TENANT: TenantRecord = {
  handle: 'sample', displayName: 'Sample customer', tenantId: '00000000-0000-0000-0000-000000000000', domain: 'sample.example', status: 'connected',
  writeAccess: false, createdAt: '1970-01-01T00:00:00.000Z', updatedAt: '1970-01-01T00:00:00.000Z',
};

/**
 * `rule test`, like Defender's "Send test email": a clearly marked sample alert goes straight to
 * every target the rule reaches now (once per target), through the messenger and the email
 * sender, and the admin reads what happened to each.
 */
export class RuleTester {
  constructor(
    private readonly deps: {
      rules: RuleService;
      router: RuleRouter;
      links: ChannelLinks;
      conversations: ConversationRegistry;
      messenger: Messenger;
      email: EmailSender;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  async test(ruleId: string, actor: Actor): Promise<TestReport> {
    const rule = this.deps.rules.get(ruleId);
    const covered = this.deps.rules.coveredTenants(rule);
    const notes: string[] = [];
    const planned = new Map<string, { routed: RoutedTarget; tenant: TenantRecord }>();
    for (const tenant of covered) {
      const routed = this.deps.router.targetsOf(rule, tenant);
      if (rule.mode !== 'email' && !routed.some((r) => r.target.kind === 'teams')) notes.push(`${tenant.displayName} has no working channel among this rule's Teams targets.`);
      for (const r of routed) if (!planned.has(targetKey(r.target))) planned.set(targetKey(r.target), { routed: r, tenant });
    }
    if (covered.length === 0 && rule.mode !== 'teams') {
      for (const address of rule.targets.emails) planned.set(`email:${address.toLowerCase()}`, { routed: { target: { kind: 'email', address }, ruleId: rule.id, options: rule.content }, tenant: SAMPLE_TENANT });
    }
    const all = [...planned.values()];
    if (all.length > MAX_TEST_TARGETS) notes.push(`The rule reaches ${all.length} targets; the sample went to the first ${MAX_TEST_TARGETS} only.`);
    const deliveries = await Promise.all(all.slice(0, MAX_TEST_TARGETS).map(({ routed, tenant }) => this.deliver(rule, routed, tenant, actor)));
    this.deps.logger.info({ event: 'rule.tested', ruleId: rule.id, sent: deliveries.filter((d) => d.ok).length, failed: deliveries.filter((d) => !d.ok).length, userId: actor.userId }, 'rule test sent');
    return { rule, deliveries, notes };
  }

  private async deliver(rule: NotificationRule, routed: RoutedTarget, tenant: TenantRecord, actor: Actor): Promise<TestDelivery> {
    const alert = sampleAlert(rule, tenant, this.deps.clock.now());
    const notice = `SAMPLE — ${actor.displayName} sent this with "rule test ${rule.id}" to check where the rule "${rule.name}" delivers. It is not a real Defender alert.`;
    const extras = { sample: true, notices: [{ color: 'warning' as const, text: notice }] };
    const target = routed.target;
    if (target.kind === 'email') {
      try {
        await this.deps.email.send(renderAlertEmail({ tenant, alert, to: target.address, options: routed.options, ruleName: rule.name, extras }));
        return { kind: 'email', target: target.address, ok: true };
      } catch (error) {
        const detail = error instanceof EmailDeliveryError ? `${error.message}${error.kind === 'transient' ? ' (temporary: try again later)' : ''}` : 'an unexpected error (see the log)';
        if (!(error instanceof EmailDeliveryError)) this.deps.logger.error({ event: 'rule.test_email_failed', err: error }, 'rule test email failed');
        return { kind: 'email', target: target.address, ok: false, detail };
      }
    }
    const place = this.deps.links.placeName(target.conversationId);
    const conversation = this.deps.conversations.get(target.conversationId);
    if (!conversation) return { kind: 'teams', target: place, ok: false, detail: 'SOC Bridge has no record of this conversation.' };
    try {
      const card = notificationCard(tenant, alert, routed.options, extras);
      await this.deps.messenger.send(conversation, cardReply('alert-detail', card, `[SAMPLE] ${card.severityLabel}: ${card.title}`.slice(0, 200)));
      return { kind: 'teams', target: place, ok: true };
    } catch (error) {
      if (error instanceof ChatDeliveryError) {
        if (error.kind === 'gone') await this.deps.links.markBroken(target.conversationId, `Teams refused the post (${error.status ?? 'no status'}): the bot was removed or the channel is gone`);
        return { kind: 'teams', target: place, ok: false, detail: teamsFailure(error) };
      }
      this.deps.logger.error({ event: 'rule.test_post_failed', err: error }, 'rule test post failed');
      return { kind: 'teams', target: place, ok: false, detail: 'an unexpected error (see the log)' };
    }
  }
}

function teamsFailure(error: ChatDeliveryError): string {
  switch (error.kind) {
    case 'gone':
      return `Teams answered ${error.status}: SOC Bridge was removed from there or the channel is gone. The link is now marked broken.`;
    case 'throttled':
      return 'Teams is throttling SOC Bridge right now; try again in a minute.';
    case 'transient':
      return `Teams did not accept the post (${error.status ?? 'no answer'}); try again later.`;
    case 'rejected':
      return `Teams rejected the post (${error.status ?? 'no status'}).`;
  }
}
