import type { AlertDetailCardData, AlertListCardData } from '../cards/catalog.js';
import type { CardColor } from '../cards/elements.js';
import type { AlertFilter } from './alert-filter.js';
import { clip, TEXT_LIMITS } from '../cards/limits.js';
import { alertDevices, alertFiles, alertProcessCommandLines, alertUsers, type Alert } from '../defender/alert.js';
import type { TenantRecord } from '../store/schema.js';
import { OPEN_STATUSES, type AlertListing, type ListCursor } from './alert-service.js';
import { ALERT_VERBS } from './verbs.js';

const SEVERITY_COLORS: Readonly<Record<string, CardColor>> = { high: 'attention', medium: 'warning', low: 'accent', informational: 'default' };
const STATUS_LABELS: Readonly<Record<string, string>> = { new: 'New', inProgress: 'In progress', resolved: 'Resolved' };

export function severityLabel(severity: string): string {
  return severity === 'informational' ? 'Info' : severity.charAt(0).toUpperCase() + severity.slice(1);
}

export function severityColor(severity: string): CardColor {
  return SEVERITY_COLORS[severity] ?? 'default';
}

export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status;
}

/** Graph's camelCase enum values as words: `truePositive` → `True positive`, `microsoftDefenderForEndpoint` → `Microsoft Defender for Endpoint`. */
export function humanize(value: string): string {
  const words = value.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(' ');
  return words.map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : /^(For|And|Of)$/.test(w) ? w.toLowerCase() : w === w.toUpperCase() ? w : w.toLowerCase())).join(' ')
    .replace(/\bmicrosoft\b/gi, 'Microsoft').replace(/\bdefender\b/gi, 'Defender').replace(/\bendpoint\b/g, 'Endpoint').replace(/\bidentity\b/g, 'Identity').replace(/\boffice365\b/gi, 'Office 365').replace(/\b[Aa]d\b/g, 'AD');
}

/** `2026-11-26 09:14 UTC`: one unambiguous time for an SOC spread over time zones. */
export function utc(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function describeFilter(filter: AlertFilter, top: number): string {
  const statuses = filter.statuses ?? OPEN_STATUSES;
  const parts = [
    filter.severities?.length ? `severity ${filter.severities.join(', ')}` : 'any severity',
    statuses.length ? `status ${statuses.map(statusLabel).join(', ')}${filter.statuses ? '' : ' (open)'}` : 'any status',
    ...(filter.sources?.length ? [`source ${filter.sources.join(', ')}`] : []),
    ...(filter.sinceLabel ? [`created in the last ${filter.sinceLabel}`] : []),
  ];
  return `${parts.join(' · ')} · newest ${top}`;
}

/** What the "more" button must carry to fetch the next page of the same list. */
export interface MoreRequest {
  readonly tenant: string;
  readonly filter: AlertFilter;
  readonly top: number;
  readonly cursor: ListCursor;
}

export function alertListCard(args: { scope: string; tenantArg: string; filter: AlertFilter; top: number; listing: AlertListing; showCustomer: boolean; page: number }): AlertListCardData {
  const { listing } = args;
  return {
    title: `Alerts — ${args.scope}${args.page > 1 ? ` (page ${args.page})` : ''}`,
    subtitle: describeFilter(args.filter, args.top),
    items: listing.items.map(({ tenant, alert }) => ({
      severityLabel: severityLabel(alert.severity),
      severityColor: severityColor(alert.severity),
      title: clip(alert.title, TEXT_LIMITS.title),
      line: [
        ...(args.showCustomer ? [tenant.displayName] : []),
        statusLabel(alert.status),
        utc(alert.createdDateTime),
        alert.assignedTo ? `assigned to ${clip(alert.assignedTo, TEXT_LIMITS.field)}` : 'unassigned',
      ].join(' · '),
      actionData: { verb: ALERT_VERBS.open, tenantId: tenant.tenantId, alertId: alert.id },
    })),
    failures: listing.failures.map((f) => `${f.tenant.displayName}: ${f.message}`),
    empty: listing.items.length === 0 && listing.failures.length === 0 ? ['No alerts match.'] : [],
    more: listing.next
      ? [{ title: 'More', actionData: { verb: ALERT_VERBS.more, tenant: args.tenantArg, filter: args.filter, top: args.top, cursor: listing.next, page: args.page + 1 } }]
      : [],
  };
}

export interface DetailOptions {
  /** Whether the viewer's tenant granted SecurityAlert.ReadWrite.All; without it no action buttons. */
  readonly writable: boolean;
  readonly notices?: { color: CardColor; text: string }[];
}

const MAX_LIST = 5;

function listed(values: readonly string[]): string {
  if (values.length === 0) return '—';
  const shown = values.slice(0, MAX_LIST).map((value) => clip(value, TEXT_LIMITS.listEntry)).join(', ');
  return values.length > MAX_LIST ? `${shown} and ${values.length - MAX_LIST} more` : shown;
}

/** A fact whose value may come from the tenant, clipped like every such value on a card (and in the email). */
function fact(title: string, value: string): { title: string; value: string } {
  return { title, value: clip(value, TEXT_LIMITS.field) };
}

export function alertDetailCard(tenant: TenantRecord, alert: Alert, options: DetailOptions): AlertDetailCardData {
  const devices = alertDevices(alert).map((d) => [d.dnsName ?? d.mdeDeviceId ?? 'unnamed device', d.osPlatform, d.rbacGroupName && `group ${d.rbacGroupName}`].filter(Boolean).join(', '));
  const users = alertUsers(alert).map((u) => u.userPrincipalName ?? (u.accountName ? `${u.domainName ? `${u.domainName}\\` : ''}${u.accountName}` : (u.displayName ?? 'unnamed user')));
  const files = alertFiles(alert).map((f) => f.fileName ?? f.sha256 ?? f.sha1 ?? 'unnamed file');
  const commandLines = alertProcessCommandLines(alert);
  const description = (alert.description ?? '').trim();
  const classification =
    alert.classification && alert.classification !== 'unknown'
      ? `${humanize(alert.classification)}${alert.determination && alert.determination !== 'unknown' ? ` — ${humanize(alert.determination)}` : ''}`
      : 'not classified';
  const button = (title: string, verb: string) => [{ title, actionData: { verb, tenantId: tenant.tenantId, alertId: alert.id, version: alert.lastUpdateDateTime } }];
  const writable = options.writable;
  return {
    severityLabel: `${severityLabel(alert.severity)} severity`,
    severityColor: severityColor(alert.severity),
    title: clip(alert.title, TEXT_LIMITS.title),
    customer: `${tenant.displayName} (${tenant.handle})`,
    notices: options.notices ?? [],
    facts: [
      fact('Status', statusLabel(alert.status)),
      fact('Assigned to', alert.assignedTo ?? 'nobody'),
      fact('Classification', classification),
      fact('Category', alert.category ?? '—'),
      fact('Source', [...new Set([alert.serviceSource, alert.detectionSource].filter((v): v is string => Boolean(v)).map(humanize))].join(' / ') || '—'),
      { title: 'MITRE techniques', value: listed(alert.mitreTechniques) },
      fact('First activity', utc(alert.firstActivityDateTime)),
      fact('Last activity', utc(alert.lastActivityDateTime)),
      fact('Created', utc(alert.createdDateTime)),
      fact('Alert id', alert.id),
    ],
    description: clip(description, TEXT_LIMITS.description),
    evidence: [
      { title: 'Devices', value: listed(devices) },
      { title: 'Users', value: listed(users) },
      ...(files.length ? [{ title: 'Files', value: listed(files) }] : []),
      ...(commandLines.length ? [{ title: 'Command line', value: clip(commandLines[0] ?? '', TEXT_LIMITS.commandLine) }] : []),
    ],
    comments: alert.comments.slice(-3).map((c) => `${clip(c.createdByDisplayName ?? 'someone', TEXT_LIMITS.field)}, ${utc(c.createdDateTime)}: ${clip(c.comment ?? '', TEXT_LIMITS.comment)}`),
    alertUrl: alert.alertWebUrl ?? '',
    incidentUrl: alert.incidentWebUrl ?? '',
    assign: writable ? button('Assign to me', ALERT_VERBS.assign) : [],
    setStatus: writable ? button('Set status', ALERT_VERBS.status) : [],
    classify: writable ? button('Classify', ALERT_VERBS.classify) : [],
    comment: writable ? button('Comment', ALERT_VERBS.comment) : [],
    refresh: button('Refresh', ALERT_VERBS.refresh),
  };
}
