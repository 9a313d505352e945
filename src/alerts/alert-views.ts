import type { AlertDetailCardData, AlertListCardData } from '../cards/catalog.js';
import type { CardColor } from '../cards/elements.js';
import { clip, TEXT_LIMITS } from '../cards/limits.js';
import type { AlertFilter } from './alert-filter.js';
import { DETERMINATIONS_BY_CLASSIFICATION, WRITABLE_STATUSES, alertDevices, alertFiles, alertProcessCommandLines, alertUsers, type Alert } from '../defender/alert.js';
import type { AlertState } from '../audit/audit-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { OPEN_STATUSES, type AlertListing, type ListCursor } from './alert-service.js';
import { ALERT_VERBS } from './verbs.js';

const SEVERITY_COLORS: Readonly<Record<string, CardColor>> = { high: 'attention', medium: 'warning', low: 'accent', informational: 'emphasis' };
const STATUS_LABELS: Readonly<Record<string, string>> = { new: 'New', inProgress: 'In progress', resolved: 'Resolved' };

export function severityLabel(severity: string): string {
  return severity === 'informational' ? 'Info' : severity.charAt(0).toUpperCase() + severity.slice(1);
}

export function severityColor(severity: string): CardColor {
  return SEVERITY_COLORS[severity] ?? 'emphasis';
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

const CLASSIFICATION_LABELS: Readonly<Record<string, string>> = {
  truePositive: 'True positive',
  informationalExpectedActivity: 'Informational, expected activity',
  falsePositive: 'False positive',
};

const DETERMINATION_LABELS: Readonly<Record<string, string>> = {
  multiStagedAttack: 'Multistage attack',
  lineOfBusinessApplication: 'Line-of-business application',
  securityTesting: 'Security testing',
  apt: 'Advanced persistent threat',
};

/** A classification in the Defender portal's words. */
export function classificationLabel(value: string): string {
  return CLASSIFICATION_LABELS[value] ?? humanize(value);
}

/** A determination in the Defender portal's words. */
export function determinationLabel(value: string): string {
  return DETERMINATION_LABELS[value] ?? humanize(value);
}

const STATE_FIELDS: readonly { key: 'assignedTo' | 'status' | 'classification' | 'determination'; label: string; show: (value: string) => string; none: string }[] = [
  { key: 'assignedTo', label: 'Owner', show: (value) => clip(value, TEXT_LIMITS.field), none: 'nobody' },
  { key: 'status', label: 'Status', show: statusLabel, none: 'none' },
  // Graph reports an unclassified alert as `unknown`; the card says "not classified".
  { key: 'classification', label: 'Classification', show: (value) => (value === 'unknown' ? 'not classified' : classificationLabel(value)), none: 'not classified' },
  { key: 'determination', label: 'Determination', show: (value) => (value === 'unknown' ? 'none' : determinationLabel(value)), none: 'none' },
];

/** A recorded change to an alert, in the words its card uses: `Owner: nobody → alex@contoso.com, Status: New → Resolved`. */
export function describeStateChange(before: AlertState, after: AlertState): string {
  const changes = STATE_FIELDS.filter(({ key }) => after[key] !== undefined && after[key] !== before[key]).map(
    ({ key, label, show, none }) => `${label}: ${before[key] ? show(before[key]) : none} → ${after[key] ? show(after[key]) : none}`,
  );
  if (after.customTags && (before.customTags ?? []).join(', ') !== after.customTags.join(', ')) {
    changes.push(`Tags: ${before.customTags?.length ? clip(before.customTags.join(', '), TEXT_LIMITS.field) : 'none'} → ${after.customTags.length ? clip(after.customTags.join(', '), TEXT_LIMITS.field) : 'none'}`);
  }
  if (after.comment) changes.push(`Comment: "${clip(after.comment, TEXT_LIMITS.comment)}"`);
  return changes.length ? changes.join(', ') : 'no change';
}

/** "True positive — Malware", or "not classified". */
function verdictOf(alert: Alert): string {
  if (!alert.classification || alert.classification === 'unknown') return 'not classified';
  const determination = alert.determination && alert.determination !== 'unknown' ? ` — ${determinationLabel(alert.determination)}` : '';
  return `${classificationLabel(alert.classification)}${determination}`;
}

function evidenceOf(alert: Alert) {
  return {
    devices: alertDevices(alert).map((d) => [d.dnsName ?? d.mdeDeviceId ?? 'unnamed device', d.osPlatform, d.rbacGroupName && `group ${d.rbacGroupName}`].filter(Boolean).join(', ')),
    users: alertUsers(alert).map((u) => u.userPrincipalName ?? (u.accountName ? `${u.domainName ? `${u.domainName}\\` : ''}${u.accountName}` : (u.displayName ?? 'unnamed user'))),
    files: alertFiles(alert).map((f) => f.fileName ?? f.sha256 ?? f.sha1 ?? 'unnamed file'),
    commandLines: alertProcessCommandLines(alert),
  };
}

/** Status, owner, verdict once there is one, and where it happened: what a SOC reads first. */
function keyFacts(alert: Alert, evidence: ReturnType<typeof evidenceOf>): { title: string; value: string }[] {
  const facts = [
    { title: 'Status', value: statusLabel(alert.status) },
    { title: 'Assigned to', value: clip(alert.assignedTo ?? 'nobody', TEXT_LIMITS.field) },
    ...(alert.classification && alert.classification !== 'unknown' ? [{ title: 'Classification', value: verdictOf(alert) }] : []),
    ...(evidence.devices.length ? [{ title: evidence.devices.length === 1 ? 'Device' : 'Devices', value: listed(evidence.devices) }] : []),
    ...(evidence.users.length ? [{ title: evidence.users.length === 1 ? 'User' : 'Users', value: listed(evidence.users) }] : []),
  ];
  return facts.length < 5 ? [...facts, { title: 'Detected', value: utc(alert.createdDateTime) }] : facts;
}

function detailFacts(alert: Alert, evidence: ReturnType<typeof evidenceOf>): { title: string; value: string }[] {
  return [
    ...(alert.classification && alert.classification !== 'unknown' ? [] : [{ title: 'Classification', value: verdictOf(alert) }]),
    { title: 'Category', value: clip(alert.category ?? '—', TEXT_LIMITS.field) },
    { title: 'MITRE techniques', value: listed(alert.mitreTechniques) },
    { title: 'Source', value: [...new Set([alert.serviceSource, alert.detectionSource].filter((v): v is string => Boolean(v)).map(humanize))].join(' / ') || '—' },
    ...(evidence.files.length ? [{ title: 'Files', value: listed(evidence.files) }] : []),
    { title: 'First activity', value: utc(alert.firstActivityDateTime) },
    { title: 'Last activity', value: utc(alert.lastActivityDateTime) },
    { title: 'Created', value: utc(alert.createdDateTime) },
    { title: 'Alert id', value: clip(alert.id, TEXT_LIMITS.field) },
    ...(alert.incidentId ? [{ title: 'Incident', value: alert.incidentId }] : []),
  ];
}

/**
 * The alert card: the alert command, a click in a list, a proactive notification and every card
 * edit after an action all show this. Triage comes first: "Assign to me" while nobody owns the
 * alert (once someone does, taking it over is in the overflow menu), then status, classification
 * (each classification opens only the determinations that go with it) and comment.
 */
export function alertDetailCard(tenant: TenantRecord, alert: Alert, options: DetailOptions): AlertDetailCardData {
  const evidence = evidenceOf(alert);
  const description = (alert.description ?? '').trim();
  const commandLine = evidence.commandLines[0] ?? '';
  const data = (verb: string, extra: Record<string, string> = {}) => ({ verb, tenantId: tenant.tenantId, alertId: alert.id, version: alert.lastUpdateDateTime, ...extra });
  const button = (title: string, verb: string) => [{ title, actionData: data(verb) }];
  const writable = options.writable;
  const customer = `${tenant.displayName} (${tenant.handle})`;
  return {
    severityLabel: severityLabel(alert.severity),
    severityColor: severityColor(alert.severity),
    headline: `${severityLabel(alert.severity)} severity · ${customer}`,
    title: clip(alert.title, TEXT_LIMITS.title),
    customer,
    notices: options.notices ?? [],
    facts: keyFacts(alert, evidence),
    commandLine: clip(commandLine, TEXT_LIMITS.commandLine),
    description: clip(description, TEXT_LIMITS.description),
    details: detailFacts(alert, evidence),
    comments: alert.comments.slice(-3).map((c) => `${clip(c.createdByDisplayName ?? 'someone', TEXT_LIMITS.field)}, ${utc(c.createdDateTime)}: ${clip(c.comment ?? '', TEXT_LIMITS.comment)}`),
    alertUrl: alert.alertWebUrl ?? '',
    incidentUrl: alert.incidentWebUrl ?? '',
    linkMode: writable ? 'secondary' : 'primary',
    assign: writable && !alert.assignedTo ? button('Assign to me', ALERT_VERBS.assign) : [],
    takeOver: writable && alert.assignedTo ? button('Take over (assign to me)', ALERT_VERBS.assign) : [],
    setStatus: writable
      ? [{ title: 'Set status', actionData: data(ALERT_VERBS.status), choices: WRITABLE_STATUSES.filter((s) => s !== alert.status).map((s) => ({ title: statusLabel(s), value: s })) }]
      : [],
    classify: writable
      ? [{
          title: 'Classify',
          verdicts: Object.entries(DETERMINATIONS_BY_CLASSIFICATION).map(([classification, determinations]) => ({
            title: classificationLabel(classification),
            inputId: `determination-${classification}`,
            choices: determinations.map((d) => ({ title: determinationLabel(d), value: d })),
            actionData: data(ALERT_VERBS.classify, { classification }),
          })),
        }]
      : [],
    comment: writable ? button('Comment', ALERT_VERBS.comment) : [],
    refresh: button('Refresh', ALERT_VERBS.refresh),
  };
}
