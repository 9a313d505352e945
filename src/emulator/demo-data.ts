import type { Alert, AlertComment, AlertSeverity } from '../defender/alert.js';
import { ALERT_TEMPLATES, HOSTILE_TEXTS, RESOLUTION_COMMENTS, SOC_ANALYSTS, type AlertTemplate } from './demo-catalog.js';
import { buildEvidence } from './demo-evidence.js';
import { devicesFor, tenantFleet, type DemoFleet, type DemoTenant } from './demo-fleet.js';
import { DemoRandom } from './demo-random.js';

export type { DemoTenant } from './demo-fleet.js';
export { HOSTILE_TEXTS } from './demo-catalog.js';

/**
 * Deterministic Defender alerts for demo tenants: the same tenant, time and seed always give the
 * same alerts. Backlogs spread over the past days with older alerts more often resolved.
 */

/** Generation options. */
export interface DemoOptions {
  /** How far back a backlog reaches (default 14 days). */
  days?: number;
  /** Put attacker-style text (Markdown links, `${…}`, HTML) into titles and other fields. */
  hostile?: boolean;
  /** Only medium or high severity: an alert the default notification rule delivers. */
  urgent?: boolean;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

const ID_PREFIX: Record<string, string> = {
  microsoftDefenderForIdentity: 'aa',
  microsoftDefenderForOffice365: 'fa',
  azureAdIdentityProtection: 'ad',
  microsoftDefenderForCloudApps: 'ca',
  microsoftSentinel: 'sn',
};

type Lifecycle = 'new' | 'inProgress' | 'resolved';

interface Draft {
  rnd: DemoRandom;
  tenant: DemoTenant;
  fleet: DemoFleet;
  template: AlertTemplate;
  createdMs: number;
  nowMs: number;
  lifecycle: Lifecycle;
  hostile: boolean;
  urgent: boolean;
}

function alertId(rnd: DemoRandom, template: AlertTemplate): string {
  const prefix = ID_PREFIX[template.serviceSource];
  if (prefix) return `${prefix}${rnd.guid().replaceAll('-', '')}`;
  // Defender for Endpoint ids look like da637551227677560813_-961444813.
  return `da${rnd.digits(18)}_${rnd.chance(0.5) ? '-' : ''}${rnd.int(100_000_000, 2_147_483_647)}`;
}

function analystName(upn: string): string {
  return (upn.split('@')[0] ?? upn)
    .split('.')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

function comment(text: string, by: string, atMs: number): AlertComment {
  return { comment: text, createdByDisplayName: analystName(by), createdDateTime: new Date(atMs).toISOString() };
}

/** Assignment, verdict and comments for the alert's point in its life. */
function triage(d: Draft, updatedMs: number): Pick<Alert, 'assignedTo' | 'classification' | 'determination' | 'comments'> {
  const { rnd, template } = d;
  if (d.lifecycle === 'new') return { assignedTo: null, classification: null, determination: null, comments: [] };
  const analyst = rnd.pick(SOC_ANALYSTS);
  if (d.lifecycle === 'inProgress') {
    const comments = rnd.chance(0.5) ? [comment('Investigating with the customer.', analyst, updatedMs)] : [];
    return { assignedTo: analyst, classification: rnd.chance(0.3) ? 'truePositive' : null, determination: null, comments };
  }
  const benign = rnd.chance(template.benignShare);
  const classification = benign ? rnd.pick(['falsePositive', 'informationalExpectedActivity'] as const) : 'truePositive';
  const determination = !benign ? template.truePositiveAs : classification === 'falsePositive' ? 'notMalicious' : rnd.pick(['securityTesting', 'lineOfBusinessApplication'] as const);
  const pool = d.hostile ? HOSTILE_TEXTS : benign ? RESOLUTION_COMMENTS.benign : RESOLUTION_COMMENTS.truePositive;
  const comments = [comment(rnd.pick(pool), analyst, updatedMs)];
  if (rnd.chance(0.3)) comments.unshift(comment('Looking into this.', analyst, d.createdMs + rnd.int(5, 60) * MINUTE));
  return { assignedTo: analyst, classification, determination, comments };
}

function timeline(d: Draft): { updatedMs: number; resolvedMs: number | null } {
  const room = Math.max(0, d.nowMs - d.createdMs);
  if (d.lifecycle === 'new') return { updatedMs: d.createdMs, resolvedMs: null };
  const updatedMs = d.createdMs + Math.floor(d.rnd.next() * Math.min(room, 2 * DAY));
  return { updatedMs, resolvedMs: d.lifecycle === 'resolved' ? updatedMs : null };
}

function buildAlert(d: Draft): Alert {
  const { rnd, tenant, fleet, template } = d;
  const id = alertId(rnd, template);
  const incidentId = String(rnd.int(1_000, 99_999));
  const severity: AlertSeverity = rnd.weighted(d.urgent ? template.severities.filter(([s]) => URGENT.has(s)) : template.severities);
  const firstActivityMs = d.createdMs - rnd.int(1, 45) * MINUTE;
  const { updatedMs, resolvedMs } = timeline(d);
  const hostileText = d.hostile ? rnd.pick(HOSTILE_TEXTS) : undefined;
  const evidence = buildEvidence({
    rnd,
    template,
    severity,
    device: rnd.pick(devicesFor(fleet, template.deviceRole)),
    user: rnd.pick(fleet.users),
    at: new Date(d.createdMs).toISOString(),
    hostileText,
  });
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    providerAlertId: id.startsWith('da') ? id : rnd.guid(),
    incidentId,
    tenantId: tenant.tenantId,
    title: hostileText ? `${template.title} ${hostileText}` : template.title,
    description: hostileText ? `${template.description} ${rnd.pick(HOSTILE_TEXTS)}` : template.description,
    recommendedActions: template.recommendedActions,
    category: template.category,
    severity,
    status: d.lifecycle,
    serviceSource: template.serviceSource,
    detectionSource: template.detectionSource,
    detectorId: new DemoRandom(`detector:${template.title}`).guid(),
    alertWebUrl: `https://security.microsoft.com/alerts/${id}?tid=${tenant.tenantId}`,
    incidentWebUrl: `https://security.microsoft.com/incidents/${incidentId}?tid=${tenant.tenantId}`,
    actorDisplayName: null,
    threatDisplayName: template.threatDisplayName ?? null,
    threatFamilyName: template.threatFamilyName ?? null,
    mitreTechniques: [...template.mitreTechniques],
    createdDateTime: new Date(d.createdMs).toISOString(),
    lastUpdateDateTime: new Date(updatedMs).toISOString(),
    resolvedDateTime: resolvedMs === null ? null : new Date(resolvedMs).toISOString(),
    firstActivityDateTime: new Date(firstActivityMs).toISOString(),
    lastActivityDateTime: new Date(firstActivityMs + Math.floor((d.createdMs - firstActivityMs) * rnd.next())).toISOString(),
    ...triage(d, updatedMs),
    evidence,
    systemTags: [],
  };
}

const URGENT: ReadonlySet<AlertSeverity> = new Set(['medium', 'high']);
const URGENT_TEMPLATES = ALERT_TEMPLATES.filter((t) => t.severities.some(([s]) => URGENT.has(s)));

const pickTemplate = (rnd: DemoRandom, urgent = false) => rnd.weighted((urgent ? URGENT_TEMPLATES : ALERT_TEMPLATES).map((t) => [t, t.weight] as const));

/** Older alerts are more likely to have been handled already. */
function lifecycleFor(rnd: DemoRandom, ageShare: number): Lifecycle {
  const resolved = 0.1 + 0.75 * ageShare;
  return rnd.weighted<Lifecycle>([['resolved', resolved], ['inProgress', 0.2], ['new', Math.max(0.05, 0.7 - resolved)]]);
}

/** How long after its first alert an incident still gathers related ones. */
const CORRELATION_WINDOW_MS = 12 * 3_600_000;
/** The share of alerts Defender correlates into an incident that already has one. */
const CORRELATED_SHARE = 0.35;

/** The alert as part of incident `incidentId`, with Graph's portal link to it. */
export function inIncident(alert: Alert, incidentId: string): Alert {
  const tenantId = alert.tenantId ?? '';
  return { ...alert, incidentId, incidentWebUrl: `https://security.microsoft.com/incidents/${incidentId}?tid=${tenantId}` };
}

/** The id Defender would give the tenant's next incident: its ids are increasing numbers. */
export function nextIncidentId(existingIds: readonly string[], seed: number | string): string {
  const numbers = existingIds.map(Number).filter(Number.isInteger);
  return String(numbers.length > 0 ? Math.max(...numbers) + 1 : new DemoRandom(`incidents:${seed}`).int(2_000, 60_000));
}

/**
 * Groups a backlog into incidents as Defender's correlation would: oldest first, about a third of
 * the alerts join an incident started within the previous twelve hours (the one whose latest alert
 * is nearest), the rest open incidents of their own, numbered in order of creation. A separate
 * random stream decides, so the alerts themselves stay what the seed made them.
 */
function correlate(alerts: Alert[], tenantId: string, seed: number | string): Alert[] {
  const rnd = new DemoRandom(`incidents:${tenantId}:${seed}`);
  const oldestFirst = [...alerts].sort((a, b) => Date.parse(a.createdDateTime) - Date.parse(b.createdDateTime) || a.id.localeCompare(b.id));
  const started: { id: string; firstMs: number; lastMs: number }[] = [];
  let next = Number(nextIncidentId([], `${tenantId}:${seed}`));
  const grouped = new Map<string, string>();
  for (const alert of oldestFirst) {
    const at = Date.parse(alert.createdDateTime);
    const open = started.filter((i) => at - i.firstMs <= CORRELATION_WINDOW_MS);
    const joined = open.length > 0 && rnd.chance(CORRELATED_SHARE) ? open.reduce((a, b) => (b.lastMs > a.lastMs ? b : a)) : undefined;
    const incident = joined ?? { id: String(next++), firstMs: at, lastMs: at };
    if (!joined) started.push(incident);
    incident.lastMs = at;
    grouped.set(alert.id, incident.id);
  }
  return alerts.map((alert) => inIncident(alert, grouped.get(alert.id) ?? alert.incidentId ?? ''));
}

/** `count` alerts created over the past `days` before `now`, newest first, grouped into incidents. */
export function generateBacklog(tenant: DemoTenant, count: number, now: Date, seed: number | string, options: DemoOptions = {}): Alert[] {
  const rnd = new DemoRandom(`backlog:${tenant.tenantId}:${seed}`);
  const fleet = tenantFleet(tenant);
  const spanMs = (options.days ?? 14) * DAY;
  const alerts: Alert[] = [];
  for (let i = 0; i < count; i++) {
    const ageMs = Math.floor(rnd.next() * spanMs);
    const template = pickTemplate(rnd);
    const lifecycle = lifecycleFor(rnd, ageMs / spanMs);
    alerts.push(buildAlert({ rnd, tenant, fleet, template, createdMs: now.getTime() - ageMs, nowMs: now.getTime(), lifecycle, hostile: options.hostile ?? false, urgent: false }));
  }
  return correlate(alerts, tenant.tenantId, seed).sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime) || a.id.localeCompare(b.id));
}

/** One alert raised just now: status new, unassigned. */
export function generateNewAlert(tenant: DemoTenant, now: Date, seed: number | string, options: DemoOptions = {}): Alert {
  const rnd = new DemoRandom(`new:${tenant.tenantId}:${seed}`);
  const urgent = options.urgent ?? false;
  const createdMs = now.getTime() - rnd.int(5, 90) * 1000;
  return buildAlert({
    rnd, tenant, fleet: tenantFleet(tenant), template: pickTemplate(rnd, urgent), createdMs, nowMs: now.getTime(), lifecycle: 'new', hostile: options.hostile ?? false, urgent,
  });
}

/** A new alert whose title, description, file names, command lines and device name carry hostile text. */
export function generateHostileAlert(tenant: DemoTenant, now: Date, seed: number | string): Alert {
  return generateNewAlert(tenant, now, seed, { hostile: true });
}
