import { severityColor, severityLabel, statusLabel, utc } from '../../../alerts/alert-views.js';
import { ALERT_VERBS } from '../../../alerts/verbs.js';
import type { AlertDigestCardData } from '../../../cards/catalog.js';
import { clip, TEXT_LIMITS } from '../../../cards/limits.js';
import { cardReply, type Reply } from '../../../chat/reply.js';
import type { Alert } from '../../../defender/alert.js';
import { notificationCard } from '../../../alerts/notification-card.js';
import type { TenantRecord } from '../../../tenants/tenant-schema.js';
import type { ContentOptions } from '../../../alerts/notification-card.js';
import type { CardMark, DigestItem, DigestRecord } from '../../store-schema.js';

/** How a customer is named on a card: by name, or not at all when the rule leaves the organisation name out. */
function customerLabel(tenant: TenantRecord, options: ContentOptions): string {
  return options.includeOrgName ? tenant.displayName : '';
}

/**
 * The card an alert becomes in a channel: routing's notification card (the detail card `alert`
 * shows, with its action buttons, trimmed to what the rule includes; the email says the same). A
 * `rule test` sample says so at the top and in the preview, and has no action buttons. A mark
 * (an escalation) is a coloured line at the top, drawn on every post and edit of the card.
 */
export function deliveredAlertCard(tenant: TenantRecord, alert: Alert, options: ContentOptions, extras: { sampleNotice?: string | undefined; mark?: CardMark | undefined } = {}): Reply {
  const { sampleNotice, mark } = extras;
  const customer = customerLabel(tenant, options);
  const notices = [...(mark ? [mark] : []), ...(sampleNotice ? [{ color: 'warning' as const, text: sampleNotice }] : [])];
  const summary = `${sampleNotice ? '[SAMPLE] ' : ''}${severityLabel(alert.severity)}${customer ? ` · ${customer}` : ''}: ${alert.title}`;
  return cardReply('alert-detail', notificationCard(tenant, alert, options, { ...(sampleNotice ? { sample: true } : {}), notices }), sampleNotice ? summary.slice(0, 200) : summary);
}

/** The row a digest keeps for an alert, re-rendered when the alert changes. */
export function digestItemOf(deliveryKey: string, tenant: TenantRecord, alert: Alert, options: ContentOptions): DigestItem {
  return {
    deliveryKey,
    tenantId: tenant.tenantId,
    alertId: alert.id,
    customer: customerLabel(tenant, options),
    title: alert.title,
    severity: alert.severity,
    status: alert.status,
    ...(alert.assignedTo ? { assignedTo: alert.assignedTo } : {}),
    createdDateTime: alert.createdDateTime,
    version: alert.lastUpdateDateTime,
  };
}

/** The digest card: every alert in one list, each row opening the alert's own card. */
export function digestCard(digest: DigestRecord, reason: string): Reply {
  const count = digest.items.length;
  const data: AlertDigestCardData = {
    title: `${count} new alert${count === 1 ? '' : 's'}`,
    subtitle: `Storm mode: ${reason}, so these alerts are posted together.`,
    items: digest.items.map((item) => ({
      severityLabel: severityLabel(item.severity),
      severityColor: severityColor(item.severity),
      title: clip(item.title, TEXT_LIMITS.title),
      line: [item.customer, statusLabel(item.status), utc(item.createdDateTime), item.assignedTo ? `assigned to ${clip(item.assignedTo, TEXT_LIMITS.field)}` : 'unassigned'].filter((part) => part !== '').join(' · '),
      actionData: { verb: ALERT_VERBS.open, tenantId: item.tenantId, alertId: item.alertId },
    })),
    footer: 'Open an alert for its full card and actions. Rows show each alert’s current status.',
  };
  const high = digest.items.filter((i) => i.severity === 'high').length;
  return cardReply('alert-digest', data, `${count} new alerts${high > 0 ? `, ${high} high` : ''}`);
}
