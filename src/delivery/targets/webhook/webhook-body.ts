import { alertPortalUrl, incidentPortalUrl, type ContentOptions } from '../../../alerts/notification-card.js';
import { isDeviceEvidence, type Alert } from '../../../defender/alert.js';
import { incidentPortalLink } from '../../../incidents/incident-views.js';
import type { TenantRecord } from '../../../tenants/tenant-schema.js';
import { sampleNotice } from '../../samples.js';
import type { IncidentEvent, IncidentNotification, Notification } from '../target-kind.js';
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
  readonly alert: AlertFields;
  readonly rule: { readonly id: string; readonly name: string | null };
  /** Only on `sample` events from `rule test`. */
  readonly sample?: { readonly requestedBy: string; readonly note: string };
}

/** An alert as the SOC Bridge JSON body carries it. */
export interface AlertFields {
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
}

/**
 * An incident-level event (rules with `group:incident`): `incident.created` with the incident's
 * first alert, `incident.alert-added` with a later one, `incident.updated` (no alert) when the
 * incident changed in Defender. Receivers tie them together by tenant and incident id.
 */
export interface SocBridgeIncidentEvent {
  readonly schemaVersion: typeof WEBHOOK_SCHEMA_VERSION;
  readonly event: IncidentEvent;
  readonly eventId: string;
  readonly sentAt: string;
  readonly tenant: { readonly id: string; readonly name: string | null };
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly severity: string;
    readonly status: string;
    readonly assignedTo: string | null;
    readonly classification: string | null;
    readonly determination: string | null;
    readonly customTags: readonly string[];
    readonly createdDateTime: string;
    readonly lastUpdateDateTime: string;
    /** Set when Defender merged the incident into another (`status` is then `redirected`). */
    readonly redirectIncidentId: string | null;
    readonly portalUrl: string | null;
    /** The incident's alerts as last read: enough to follow their status without an event each. */
    readonly alerts: readonly { readonly id: string; readonly title: string; readonly severity: string; readonly status: string; readonly assignedTo: string | null }[];
  };
  /** The alert that opened the incident or joined it; null on `incident.updated`. */
  readonly alert: AlertFields | null;
  readonly rule: { readonly id: string; readonly name: string | null };
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
    alert: alertFields(tenant, alert, options),
    rule: { id: n.ruleId, name: ruleName ?? null },
    ...(n.sample && note ? { sample: { requestedBy: n.sample.requestedBy, note } } : {}),
  };
}

function alertFields(tenant: TenantRecord, alert: Alert, options: ContentOptions): AlertFields {
  return {
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
  };
}

/** The SOC Bridge JSON event for one incident notification. */
export function socBridgeIncidentEvent(n: IncidentNotification, ruleName: string | undefined, sentAt: Date): SocBridgeIncidentEvent {
  const { incident, tenant, options } = n;
  return {
    schemaVersion: WEBHOOK_SCHEMA_VERSION,
    event: n.event,
    eventId: n.eventId,
    sentAt: sentAt.toISOString(),
    tenant: { id: tenant.tenantId, name: options.includeOrgName ? tenant.displayName : null },
    incident: {
      id: incident.id,
      title: incident.displayName,
      severity: incident.severity,
      status: incident.status,
      assignedTo: incident.assignedTo ?? null,
      classification: incident.classification ?? null,
      determination: incident.determination ?? null,
      customTags: [...incident.customTags],
      createdDateTime: incident.createdDateTime,
      lastUpdateDateTime: incident.lastUpdateDateTime,
      redirectIncidentId: incident.redirectIncidentId ?? null,
      portalUrl: options.includePortalLink ? incidentPortalLink(tenant, incident.id) : null,
      alerts: (incident.alerts ?? []).map((a) => ({ id: a.id, title: a.title, severity: a.severity, status: a.status, assignedTo: a.assignedTo ?? null })),
    },
    alert: n.alert ? alertFields(tenant, n.alert, options) : null,
    rule: { id: n.ruleId, name: ruleName ?? null },
  };
}

/**
 * The body an endpoint gets, as text (it is signed as sent): the SOC Bridge JSON event, or for
 * Splunk HEC that event wrapped as HEC wants it, timed by the alert's last change.
 */
export function webhookBody(format: WebhookFormat, event: SocBridgeEvent | SocBridgeIncidentEvent, host: string): string {
  if (format === 'socbridge') return JSON.stringify(event);
  const incident = 'incident' in event;
  return JSON.stringify({
    time: Date.parse(incident ? event.incident.lastUpdateDateTime : event.alert.lastUpdateDateTime) / 1000,
    host,
    source: 'soc-bridge',
    sourcetype: `soc-bridge:${incident ? 'incident' : 'alert'}:v${WEBHOOK_SCHEMA_VERSION}`,
    event,
  });
}
