import { classificationLabel, determinationLabel, severityColor, severityLabel, statusLabel, utc } from '../alerts/alert-views.js';
import type { AlertListCardData, AlertRow, IncidentDetailCardData } from '../cards/catalog.js';
import type { CardColor } from '../cards/elements.js';
import { clip, TEXT_LIMITS } from '../cards/limits.js';
import { ALERT_VERBS } from '../alerts/verbs.js';
import { DETERMINATIONS_BY_CLASSIFICATION, SEVERITIES, alertDevices, alertUsers, type Alert } from '../defender/alert.js';
import { OPEN_INCIDENT_STATUSES, WRITABLE_INCIDENT_STATUSES, type Incident } from '../defender/incident.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { IncidentFilter } from './incident-filter.js';
import type { IncidentListing } from './incident-service.js';
import { INCIDENT_VERBS } from './verbs.js';

const STATUS_LABELS: Readonly<Record<string, string>> = {
  active: 'Active',
  inProgress: 'In progress',
  resolved: 'Resolved',
  redirected: 'Merged',
  awaitingAction: 'Awaiting action',
  unknownFutureValue: 'Other',
};

/** An incident status in the Defender portal's words. */
export function incidentStatusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** The incident's page in the Defender portal, with the tenant in `?tid=` (built from our own tenant record). */
export function incidentPortalLink(tenant: TenantRecord, incidentId: string): string {
  return `https://security.microsoft.com/incidents/${encodeURIComponent(incidentId)}?tid=${encodeURIComponent(tenant.tenantId)}`;
}

/** Alerts in one incident card before "and N more" (Defender's portal has the rest). */
const MAX_ALERT_ROWS = 15;
const MAX_LIST = 5;

function listed(values: readonly string[]): string {
  if (values.length === 0) return '—';
  const shown = values.slice(0, MAX_LIST).map((v) => clip(v, TEXT_LIMITS.listEntry)).join(', ');
  return values.length > MAX_LIST ? `${shown} and ${values.length - MAX_LIST} more` : shown;
}

function describeFilter(filter: IncidentFilter, top: number): string {
  const statuses = filter.statuses ?? OPEN_INCIDENT_STATUSES;
  const parts = [
    filter.severities?.length ? `severity ${filter.severities.join(', ')}` : 'any severity',
    statuses.length ? `status ${statuses.map(incidentStatusLabel).join(', ')}${filter.statuses ? '' : ' (open)'}` : 'any status',
    ...(filter.assigned ? [filter.assigned === 'none' ? 'unassigned' : `assigned to ${filter.assigned}`] : []),
    ...(filter.sinceLabel ? [`active in the last ${filter.sinceLabel}`] : []),
  ];
  return `${parts.join(' · ')} · newest activity first, ${top} per page`;
}

/** The incidents list: a row per incident (opening its card), failures per customer, and More. */
export function incidentListCard(args: { scope: string; tenantArg: string; filter: IncidentFilter; top: number; listing: IncidentListing; showCustomer: boolean; page: number }): AlertListCardData {
  const { listing } = args;
  return {
    title: `Incidents — ${args.scope}${args.page > 1 ? ` (page ${args.page})` : ''}`,
    subtitle: describeFilter(args.filter, args.top),
    items: listing.items.map(({ tenant, incident }) => ({
      severityLabel: severityLabel(incident.severity),
      severityColor: severityColor(incident.severity),
      title: clip(incident.displayName || `Incident ${incident.id}`, TEXT_LIMITS.title),
      line: [
        ...(args.showCustomer ? [tenant.displayName] : []),
        `#${clip(incident.id, 40)}`,
        incidentStatusLabel(incident.status),
        `last activity ${utc(incident.lastUpdateDateTime)}`,
        incident.assignedTo ? `assigned to ${clip(incident.assignedTo, TEXT_LIMITS.field)}` : 'unassigned',
      ].join(' · '),
      actionData: { verb: INCIDENT_VERBS.open, tenantId: tenant.tenantId, incidentId: incident.id },
    })),
    failures: listing.failures.map((f) => `${f.tenant.displayName}: ${f.message}`),
    empty: listing.items.length === 0 && listing.failures.length === 0 ? ['No incidents match.'] : [],
    more: listing.next
      ? [{ title: 'More', actionData: { verb: INCIDENT_VERBS.more, tenant: args.tenantArg, filter: args.filter, top: args.top, cursor: listing.next, page: args.page + 1 } }]
      : [],
  };
}

/** "5 (2 high, 3 medium)": the incident's alerts by severity, highest first. */
export function alertCountLine(alerts: readonly Alert[]): string {
  const counts = [...SEVERITIES].reverse().flatMap((s) => {
    const n = alerts.filter((a) => a.severity === s).length;
    return n > 0 ? [`${n} ${s === 'informational' ? 'info' : s}`] : [];
  });
  return `${alerts.length}${counts.length ? ` (${counts.join(', ')})` : ''}`;
}

function verdictOf(incident: Incident): string {
  if (!incident.classification || incident.classification === 'unknown') return 'not classified';
  const determination = incident.determination && incident.determination !== 'unknown' ? ` — ${determinationLabel(incident.determination)}` : '';
  return `${classificationLabel(incident.classification)}${determination}`;
}

/** Devices and users across the incident's alerts, each once. */
function impacted(alerts: readonly Alert[]): { devices: string[]; users: string[] } {
  const devices = alerts.flatMap(alertDevices).map((d) => d.dnsName ?? d.mdeDeviceId ?? 'unnamed device');
  const users = alerts.flatMap(alertUsers).map((u) => u.userPrincipalName ?? (u.accountName ? `${u.domainName ? `${u.domainName}\\` : ''}${u.accountName}` : (u.displayName ?? 'unnamed user')));
  const unique = (values: string[]) => [...new Map(values.map((v) => [v.toLowerCase(), v])).values()];
  return { devices: unique(devices), users: unique(users) };
}

/** First and last activity over the alerts, falling back to the incident's own times. */
function activity(incident: Incident, alerts: readonly Alert[]): { first: string; last: string } {
  const times = (pick: (a: Alert) => string | null | undefined) => alerts.map(pick).filter((t): t is string => Boolean(t) && !Number.isNaN(Date.parse(t as string)));
  const firsts = times((a) => a.firstActivityDateTime ?? a.createdDateTime);
  const lasts = times((a) => a.lastActivityDateTime ?? a.createdDateTime);
  const min = firsts.reduce<string | undefined>((m, t) => (m === undefined || Date.parse(t) < Date.parse(m) ? t : m), undefined);
  const max = lasts.reduce<string | undefined>((m, t) => (m === undefined || Date.parse(t) > Date.parse(m) ? t : m), undefined);
  return { first: min ?? incident.createdDateTime, last: max ?? incident.lastUpdateDateTime };
}

function alertRow(tenant: TenantRecord, alert: Alert): AlertRow {
  return {
    severityLabel: severityLabel(alert.severity),
    severityColor: severityColor(alert.severity),
    title: clip(alert.title, TEXT_LIMITS.title),
    line: [statusLabel(alert.status), utc(alert.createdDateTime), alert.assignedTo ? `assigned to ${clip(alert.assignedTo, TEXT_LIMITS.field)}` : 'unassigned'].join(' · '),
    actionData: { verb: ALERT_VERBS.open, tenantId: tenant.tenantId, alertId: alert.id },
  };
}

export interface IncidentDetailOptions {
  /** Whether analysts may change this incident (the customer allowed changes and granted the permission). */
  readonly writable: boolean;
  readonly notices?: { color: CardColor; text: string }[];
}

/**
 * The incident card: severity band with the customer and the incident's name; status, owner,
 * verdict, alerts by severity, impacted devices and users, activity and tags; each alert a row that
 * opens its alert card; the triage buttons as on alert cards, plus tags.
 */
export function incidentDetailCard(tenant: TenantRecord, incident: Incident, options: IncidentDetailOptions): IncidentDetailCardData {
  const alerts = incident.alerts ?? [];
  const { devices, users } = impacted(alerts);
  const { first, last } = activity(incident, alerts);
  const customer = `${tenant.displayName} (${tenant.handle})`;
  const redirected = incident.status === 'redirected';
  const writable = options.writable && !redirected;
  const data = (verb: string, extra: Record<string, string> = {}) => ({ verb, tenantId: tenant.tenantId, incidentId: incident.id, version: incident.lastUpdateDateTime, ...extra });
  const button = (title: string, verb: string) => [{ title, actionData: data(verb) }];
  const tags = [...incident.customTags, ...incident.systemTags];
  const target = incident.redirectIncidentId ?? '';
  const notices = [
    ...(redirected ? [{ color: 'warning' as CardColor, text: `Defender merged this incident into incident ${target || '(not named)'}; its alerts are there now.` }] : []),
    ...(options.notices ?? []),
  ];
  return {
    severityLabel: severityLabel(incident.severity),
    severityColor: severityColor(incident.severity),
    headline: `${severityLabel(incident.severity)} severity incident #${clip(incident.id, 40)} · ${customer}`,
    title: clip(incident.displayName || `Incident ${incident.id}`, TEXT_LIMITS.title),
    notices,
    facts: [
      { title: 'Status', value: incidentStatusLabel(incident.status) },
      { title: 'Assigned to', value: clip(incident.assignedTo ?? 'nobody', TEXT_LIMITS.field) },
      { title: 'Classification', value: verdictOf(incident) },
      { title: 'Alerts', value: alertCountLine(alerts) },
      { title: devices.length === 1 ? 'Device' : 'Devices', value: listed(devices) },
      { title: users.length === 1 ? 'User' : 'Users', value: listed(users) },
      { title: 'Activity', value: `${utc(first)} to ${utc(last)}` },
      { title: 'Tags', value: tags.length ? listed(tags) : 'none' },
    ],
    alertsHeading: alerts.length ? 'Alerts (newest first; open one for its card)' : '',
    alerts: alerts.slice(0, MAX_ALERT_ROWS).map((a) => alertRow(tenant, a)),
    alertsMore: alerts.length > MAX_ALERT_ROWS ? [`and ${alerts.length - MAX_ALERT_ROWS} more alerts: open the incident in Defender for all of them.`] : [],
    description: clip((incident.description ?? '').trim(), TEXT_LIMITS.description),
    details: [
      { title: 'Incident id', value: clip(incident.id, TEXT_LIMITS.field) },
      { title: 'Created', value: utc(incident.createdDateTime) },
      { title: 'Last update', value: utc(incident.lastUpdateDateTime) },
    ],
    comments: incident.comments.slice(-3).map((c) => `${clip(c.createdByDisplayName ?? 'someone', TEXT_LIMITS.field)}, ${utc(c.createdDateTime)}: ${clip(c.comment ?? '', TEXT_LIMITS.comment)}`),
    incidentUrl: incidentPortalLink(tenant, incident.id),
    redirect: redirected && target ? [{ title: `Open incident ${clip(target, 40)}`, actionData: { verb: INCIDENT_VERBS.open, tenantId: tenant.tenantId, incidentId: target } }] : [],
    assign: writable && !incident.assignedTo ? button('Assign to me', INCIDENT_VERBS.assign) : [],
    takeOver: writable && incident.assignedTo ? button('Take over (assign to me)', INCIDENT_VERBS.assign) : [],
    setStatus: writable
      ? [{ title: 'Set status', actionData: data(INCIDENT_VERBS.status), choices: WRITABLE_INCIDENT_STATUSES.filter((s) => s !== incident.status).map((s) => ({ title: incidentStatusLabel(s), value: s })) }]
      : [],
    classify: writable
      ? [{
          title: 'Classify',
          verdicts: Object.entries(DETERMINATIONS_BY_CLASSIFICATION).map(([classification, determinations]) => ({
            title: classificationLabel(classification),
            inputId: `determination-${classification}`,
            choices: determinations.map((d) => ({ title: determinationLabel(d), value: d })),
            actionData: data(INCIDENT_VERBS.classify, { classification }),
          })),
        }]
      : [],
    comment: writable ? button('Comment', INCIDENT_VERBS.comment) : [],
    tags: writable ? [{ title: 'Tags', actionData: data(INCIDENT_VERBS.tags), value: incident.customTags.join(', ') }] : [],
    refresh: button('Refresh', INCIDENT_VERBS.refresh),
  };
}
