import { alertDetailCard } from './alert-views.js';
import type { AlertDetailCardData } from '../cards/catalog.js';
import type { CardColor } from '../cards/elements.js';
import type { Alert } from '../defender/alert.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';

/** What the notification carries, as Defender's email rules offer. */
export interface ContentOptions {
  readonly includeOrgName: boolean;
  readonly includePortalLink: boolean;
  readonly includeDeviceInfo: boolean;
}

/** The tenant-specific portal link of an alert (reference §4.3), built from our own tenant record. */
export function alertPortalUrl(tenant: TenantRecord, alert: Alert): string {
  return `https://security.microsoft.com/alerts/${encodeURIComponent(alert.id)}?tid=${encodeURIComponent(tenant.tenantId)}`;
}

export function incidentPortalUrl(tenant: TenantRecord, alert: Alert): string {
  return alert.incidentId ? `https://security.microsoft.com/incidents/${encodeURIComponent(alert.incidentId)}?tid=${encodeURIComponent(tenant.tenantId)}` : '';
}

export interface NotificationExtras {
  readonly notices?: { color: CardColor; text: string }[];
  /** A sample from `rule test`: no action buttons, since there is no such alert in Defender. */
  readonly sample?: boolean;
}

/**
 * What a notification about an alert shows, as alert-detail card data: the alert card, trimmed to
 * what the rule includes (organization name, tenant-specific portal links, device information).
 * The email is rendered from the same data, so card and email say the same.
 */
export function notificationCard(tenant: TenantRecord, alert: Alert, options: ContentOptions, extras: NotificationExtras = {}): AlertDetailCardData {
  const card = alertDetailCard(tenant, alert, { writable: tenant.writeAccess && !extras.sample, notices: extras.notices ?? [] });
  const withoutDevices = (facts: AlertDetailCardData['facts']) => (options.includeDeviceInfo ? facts : facts.filter((f) => f.title !== 'Device' && f.title !== 'Devices'));
  return {
    ...card,
    headline: options.includeOrgName ? card.headline : `${card.severityLabel} severity`,
    customer: options.includeOrgName ? card.customer : '',
    facts: withoutDevices(card.facts),
    details: withoutDevices(card.details),
    alertUrl: options.includePortalLink ? alertPortalUrl(tenant, alert) : '',
    incidentUrl: options.includePortalLink ? incidentPortalUrl(tenant, alert) : '',
    ...(extras.sample ? { assign: [], takeOver: [], setStatus: [], classify: [], comment: [], refresh: [] } : {}),
  };
}
