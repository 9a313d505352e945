import { severityLabel, utc } from '../alerts/alert-views.js';
import type { ContentOptions } from '../alerts/notification-card.js';
import { ALERT_VERBS } from '../alerts/verbs.js';
import { mentionMarkup } from '../cards/neutralize.js';
import { cardReply, type Reply } from '../chat/reply.js';
import type { Alert } from '../defender/alert.js';
import { durationWord } from '../routing/escalation-syntax.js';
import type { NotificationRule, RuleEscalation } from '../routing/store-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';

/** Which follow-up this is: its level, how many the rule has and the wait that made it due. */
export interface EscalationLevel {
  readonly level: number;
  readonly of: number;
  readonly afterMinutes: number;
}

/**
 * The follow-up posted in the alert card's thread (or the rule's channel): a card that @mentions
 * the rule's people with real Teams mentions (Entra object ids, which Teams accepts for mentions
 * in Adaptive Cards), what is waiting, and a button opening the alert's card.
 */
export function escalationFollowUp(args: { tenant: TenantRecord; alert: Alert; rule: NotificationRule; escalation: RuleEscalation; level: EscalationLevel; options: ContentOptions }): Reply {
  const { tenant, alert, rule, escalation, level, options } = args;
  const mentions = escalation.mention.map((m) => ({ type: 'mention' as const, text: mentionMarkup(m.name), mentioned: { id: m.userId, name: m.name } }));
  const waited = durationWord(level.afterMinutes);
  const title = `Escalation${level.of > 1 ? ` ${level.level} of ${level.of}` : ''}: still new and unowned after ${waited}`;
  const customer = options.includeOrgName ? ` · ${tenant.displayName}` : '';
  const ask = mentions.length > 0 ? 'Please take it (Assign to me on its card) or hand it on.' : 'Someone needs to take it (Assign to me on its card).';
  return cardReply(
    'escalation',
    {
      title,
      subtitle: `${severityLabel(alert.severity)} severity${customer}`,
      mentionLine: mentions.map((m) => m.text).join(', '),
      mentions,
      text: `"${alert.title}" has had no owner and is still new. ${ask}`,
      facts: [
        { title: 'Created', value: utc(alert.createdDateTime) },
        { title: 'Status', value: 'New, unassigned' },
        { title: 'Rule', value: rule.name },
      ],
      actionData: { verb: ALERT_VERBS.open, tenantId: tenant.tenantId, alertId: alert.id },
    },
    `Escalation: ${severityLabel(alert.severity)}${customer}: ${alert.title} is still unowned after ${waited}`.slice(0, 200),
  );
}

/** The line an escalated alert's card shows while it waits for someone. */
export function escalatedNotice(escalation: RuleEscalation, level: EscalationLevel, at: Date): string {
  const who = escalation.mention.length > 0 ? ` ${escalation.mention.map((m) => m.name).join(', ')} ${escalation.mention.length === 1 ? 'was' : 'were'} mentioned.` : '';
  return `Escalated${level.of > 1 ? ` (level ${level.level} of ${level.of})` : ''} at ${utc(at.toISOString())}: still new and unowned after ${durationWord(level.afterMinutes)}.${who}`;
}
