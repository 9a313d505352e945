import { isDeviceEvidence } from '../../../defender/alert.js';
import { alertPortalUrl, incidentPortalUrl } from '../../../alerts/notification-card.js';
import { sampleNotice } from '../../samples.js';
import type { Notification } from '../target-kind.js';
import type { WebhookFormat } from './webhook-config.js';

/** The version of the SOC Bridge JSON body; raised only for changes a receiver must adapt to. */
export const WEBHOOK_SCHEMA_VERSION = 1;

/**
 * The SOC Bridge JSON body (README: "Webhook bodies"). Every field is always present (null when the
 * alert has no value); the rule's `include:` options decide the tenant name, portal links and
 * devices, as they do for cards and mail.
 */
export interface SocBridgeEvent {
  readonly schemaVersion: typeof WEBHOOK_SCHEMA_VERSION;
  readonly event: Notification['event'];
  /** The same for every attempt of one event: receivers drop repeats by it. */
  readonly eventId: string;
  readonly sentAt: string;
  readonly tenant: { readonly id: string; readonly name: string | null };
  readonly alert: {
    readonly id: string;
    readonly title: string;
    readonly severity: string;
    readonly status: string;
    readonly assignedTo: string | null;
    readonly classification: string | null;
    readonly determination: string | null;
    readonly category: string | null;
    readonly serviceSource: string | null;
    readonly detectionSource: string | null;
    readonly createdDateTime: string;
    readonly lastUpdateDateTime: string;
    /** `https://security.microsoft.com/alerts/<id>?tid=<tenant>`. */
    readonly portalUrl: string | null;
    readonly incidentUrl: string | null;
    readonly devices: readonly string[] | null;
  };
  readonly rule: { readonly id: string; readonly name: string | null };
  /** Only on `sample` events from `rule test`. */
  readonly sample?: { readonly requestedBy: string; readonly note: string };
}

/** The SOC Bridge JSON event for one notification. */
export function socBridgeEvent(n: Notification, ruleName: string | undefined, sentAt: Date): SocBridgeEvent {
  const { alert, tenant, options } = n;
  const note = sampleNotice(n);
  return {
    schemaVersion: WEBHOOK_SCHEMA_VERSION,
    event: n.event,
    eventId: n.eventId,
    sentAt: sentAt.toISOString(),
    tenant: { id: tenant.tenantId, name: options.includeOrgName ? tenant.displayName : null },
    alert: {
      id: alert.id,
      title: alert.title,
      severity: alert.severity,
      status: alert.status,
      assignedTo: alert.assignedTo ?? null,
      classification: alert.classification ?? null,
      determination: alert.determination ?? null,
      category: alert.category ?? null,
      serviceSource: alert.serviceSource ?? null,
      detectionSource: alert.detectionSource ?? null,
      createdDateTime: alert.createdDateTime,
      lastUpdateDateTime: alert.lastUpdateDateTime,
      portalUrl: options.includePortalLink ? alertPortalUrl(tenant, alert) : null,
      incidentUrl: options.includePortalLink && alert.incidentId ? incidentPortalUrl(tenant, alert) : null,
      devices: options.includeDeviceInfo ? alert.evidence.flatMap((e) => (isDeviceEvidence(e) && e.deviceDnsName ? [e.deviceDnsName] : [])) : null,
    },
    rule: { id: n.ruleId, name: ruleName ?? null },
    ...(n.sample && note ? { sample: { requestedBy: n.sample.requestedBy, note } } : {}),
  };
}

/**
 * The body an endpoint gets, as text (it is signed as sent): the SOC Bridge JSON event, or for
 * Splunk HEC that event wrapped as HEC wants it, timed by the alert's last change.
 */
export function webhookBody(format: WebhookFormat, event: SocBridgeEvent, host: string): string {
  if (format === 'socbridge') return JSON.stringify(event);
  return JSON.stringify({
    time: Date.parse(event.alert.lastUpdateDateTime) / 1000,
    host,
    source: 'soc-bridge',
    sourcetype: `soc-bridge:alert:v${WEBHOOK_SCHEMA_VERSION}`,
    event,
  });
}
