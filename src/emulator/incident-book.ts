import { z } from 'zod/v4';
import { AlertCommentSchema, SEVERITIES, type Alert, type AlertComment } from '../defender/alert.js';

/**
 * The incidents of one emulated tenant, kept consistent with its alerts as Defender XDR keeps
 * them: every alert names its incident, an incident's severity and last update follow its alerts,
 * a resolved incident that gains an open alert becomes active again, and a merge moves one
 * incident's alerts into another and leaves the first `redirected` to it.
 */

/** What Defender keeps of an incident besides its alerts; the rest is derived from them. */
export const IncidentRecordSchema = z.object({
  id: z.string().min(1),
  createdDateTime: z.string(),
  /** The incident's own last change; the served value is the later of this and its alerts'. */
  lastUpdateDateTime: z.string(),
  status: z.string(),
  assignedTo: z.string().nullable(),
  classification: z.string().nullable(),
  determination: z.string().nullable(),
  customTags: z.array(z.string()),
  systemTags: z.array(z.string()),
  comments: z.array(AlertCommentSchema),
  redirectIncidentId: z.string().nullable(),
  /** Served when the incident has no alerts left (after a merge moved them). */
  severity: z.string(),
  /** Fixed when the incident has no alerts to name it after. */
  displayName: z.string().nullable(),
});
export type IncidentRecord = z.infer<typeof IncidentRecordSchema>;

/** An incident with its alerts, as the routes serve it. */
export interface IncidentView {
  readonly record: IncidentRecord;
  readonly alerts: readonly Alert[];
}

/** The fields a PATCH may change (already checked by the route). */
export interface IncidentPatch {
  status?: string;
  assignedTo?: string | null;
  classification?: string;
  determination?: string;
  customTags?: string[];
}

const later = (a: string, b: string) => (Date.parse(a) >= Date.parse(b) ? a : b);

/** The highest severity among the alerts (`unknown` when there are none). */
export function highestSeverity(alerts: readonly Pick<Alert, 'severity'>[]): string {
  const rank = (s: string) => SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]);
  return alerts.reduce<string>((best, a) => (a.severity !== 'unknownFutureValue' && rank(a.severity) > rank(best) ? a.severity : best), 'unknown');
}

function words(category: string): string {
  const spaced = category.replace(/([a-z])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

/** A name in Defender's manner: "<title> on one endpoint", "Multi-stage incident involving Execution & Impact on multiple endpoints". */
export function incidentName(alerts: readonly Alert[]): string {
  const devices = new Set(alerts.flatMap((a) => a.evidence.filter((e) => e['@odata.type'].endsWith('deviceEvidence')).map((e) => String((e as { mdeDeviceId?: unknown }).mdeDeviceId ?? ''))));
  const where = devices.size === 0 ? 'involving one user' : devices.size === 1 ? 'on one endpoint' : 'on multiple endpoints';
  const only = alerts.length === 1 ? alerts[0] : undefined;
  if (only) return `${only.title} ${where}`;
  const categories = [...new Set(alerts.map((a) => a.category).filter((c): c is string => Boolean(c)))].map(words);
  if (categories.length >= 2) return `Multi-stage incident involving ${categories.slice(0, 2).join(' & ')}${categories.length > 2 ? ' & more' : ''} ${where}`;
  return `${categories[0] ?? 'Security'} incident ${where}`;
}

/** A new incident's record, as Defender would have it given these alerts (newest first or any order). */
function recordFromAlerts(id: string, alerts: readonly Alert[]): IncidentRecord {
  const byUpdate = [...alerts].sort((a, b) => Date.parse(b.lastUpdateDateTime) - Date.parse(a.lastUpdateDateTime));
  const resolved = alerts.length > 0 && alerts.every((a) => a.status === 'resolved');
  const owner = byUpdate.find((a) => a.assignedTo)?.assignedTo ?? null;
  const verdict = resolved ? byUpdate.find((a) => a.classification) : undefined;
  return {
    id,
    createdDateTime: alerts.map((a) => a.createdDateTime).reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)),
    lastUpdateDateTime: byUpdate[0]?.lastUpdateDateTime ?? new Date(0).toISOString(),
    status: resolved ? 'resolved' : owner || alerts.some((a) => a.status === 'inProgress') ? 'inProgress' : 'active',
    assignedTo: owner,
    classification: verdict?.classification ?? null,
    determination: verdict?.determination ?? null,
    customTags: [],
    systemTags: [],
    comments: [],
    redirectIncidentId: null,
    severity: highestSeverity(alerts),
    displayName: null,
  };
}

/** One tenant's incident records over its alert store. */
export class IncidentBook {
  readonly records = new Map<string, IncidentRecord>();
  /** Every list request reads all incidents; they are grouped once per change, not once per request. */
  private cached: { views: IncidentView[]; fields: Record<string, unknown>[] } | undefined;

  constructor(
    private readonly alerts: ReadonlyMap<string, Alert>,
    /** Stores a changed alert (the tenant's own `put`). */
    private readonly saveAlert: (alert: Alert) => void,
  ) {}

  /** Restores records kept from an earlier run. */
  restore(records: readonly IncidentRecord[]): void {
    for (const record of records) this.records.set(record.id, structuredClone(record));
    this.cached = undefined;
  }

  /** After an alert was stored: its incident exists, and reopens if an open alert joined it resolved. */
  alertStored(alert: Alert, previous: Alert | undefined): void {
    this.cached = undefined;
    const id = alert.incidentId;
    if (!id) return;
    const record = this.records.get(id);
    if (!record) {
      this.records.set(id, recordFromAlerts(id, this.alertsOf(id)));
      return;
    }
    if (previous?.incidentId !== id && record.status === 'resolved' && alert.status !== 'resolved') {
      record.status = 'active';
      record.lastUpdateDateTime = later(record.lastUpdateDateTime, alert.lastUpdateDateTime);
    }
  }

  /** After many alerts were stored at once: as `alertStored` for each, grouping the store once instead of once per new incident. */
  alertsStored(stored: readonly { alert: Alert; previous: Alert | undefined }[]): void {
    this.cached = undefined;
    const groups = new Map<string, Alert[]>();
    for (const alert of this.alerts.values()) {
      if (!alert.incidentId || this.records.has(alert.incidentId)) continue;
      const group = groups.get(alert.incidentId);
      if (group) group.push(alert);
      else groups.set(alert.incidentId, [alert]);
    }
    for (const [id, alerts] of groups) this.records.set(id, recordFromAlerts(id, alerts));
    for (const { alert, previous } of stored) if (!groups.has(alert.incidentId ?? '')) this.alertStored(alert, previous);
  }

  /** After alerts were removed: incidents left with none go too, unless they point at one that stays. */
  alertsRemoved(): void {
    this.cached = undefined;
    const withAlerts = new Set([...this.alerts.values()].map((a) => a.incidentId));
    for (const [id, record] of this.records) {
      const kept = withAlerts.has(id) || (record.redirectIncidentId !== null && withAlerts.has(record.redirectIncidentId));
      if (!kept) this.records.delete(id);
    }
  }

  /** The incident's alerts, newest first. */
  alertsOf(incidentId: string): Alert[] {
    return sortedAlerts([...this.alerts.values()].filter((a) => a.incidentId === incidentId));
  }

  view(incidentId: string): IncidentView | undefined {
    const record = this.records.get(incidentId);
    return record ? { record, alerts: this.alertsOf(incidentId) } : undefined;
  }

  /**
   * Every incident with its alerts (in no particular order: `sortedAlerts` orders them), newest
   * first by creation ("the most recent incidents at the top").
   */
  views(): IncidentView[] {
    return this.grouped().views;
  }

  /** Each incident of `views()` with the properties `$filter` may use, in the same order. */
  filterable(): { view: IncidentView; fields: Record<string, unknown> }[] {
    const { views, fields } = this.grouped();
    return views.map((view, i) => ({ view, fields: fields[i] ?? {} }));
  }

  private grouped(): { views: IncidentView[]; fields: Record<string, unknown>[] } {
    if (this.cached) return this.cached;
    const byIncident = new Map<string, Alert[]>();
    for (const alert of this.alerts.values()) {
      if (!alert.incidentId) continue;
      const list = byIncident.get(alert.incidentId);
      if (list) list.push(alert);
      else byIncident.set(alert.incidentId, [alert]);
    }
    const views = [...this.records.values()]
      .map((record) => ({ record, alerts: byIncident.get(record.id) ?? [], createdMs: Date.parse(record.createdDateTime) }))
      .sort((a, b) => b.createdMs - a.createdMs || a.record.id.localeCompare(b.record.id))
      .map(({ record, alerts }) => ({ record, alerts }));
    this.cached = { views, fields: views.map(filterFields) };
    return this.cached;
  }

  /**
   * Applies an analyst's change. Defender carries an incident's owner and its resolution over to
   * the incident's alerts, so they change here too.
   */
  update(incidentId: string, patch: IncidentPatch, now: string): void {
    const record = this.records.get(incidentId);
    if (!record) return;
    this.cached = undefined;
    if (patch.status !== undefined) record.status = patch.status;
    if (patch.assignedTo !== undefined) record.assignedTo = patch.assignedTo;
    if (patch.classification !== undefined) record.classification = patch.classification;
    if (patch.determination !== undefined) record.determination = patch.determination;
    if (patch.customTags !== undefined) record.customTags = [...patch.customTags];
    record.lastUpdateDateTime = now;
    for (const alert of this.alertsOf(incidentId)) {
      const resolve = patch.status === 'resolved' && alert.status !== 'resolved';
      const assign = patch.assignedTo !== undefined && alert.assignedTo !== patch.assignedTo;
      if (!resolve && !assign) continue;
      this.saveAlert({
        ...alert,
        ...(resolve ? { status: 'resolved', resolvedDateTime: now } : {}),
        ...(assign ? { assignedTo: patch.assignedTo ?? null } : {}),
        lastUpdateDateTime: now,
      });
    }
  }

  /** Adds a comment; returns every comment, oldest first. */
  comment(incidentId: string, comment: AlertComment): AlertComment[] {
    const record = this.records.get(incidentId);
    if (!record) return [];
    this.cached = undefined;
    record.comments.push(comment);
    record.lastUpdateDateTime = comment.createdDateTime ?? record.lastUpdateDateTime;
    return record.comments;
  }

  /** Defender's correlation merges `fromId` into `intoId`: its alerts move, it becomes `redirected`. */
  merge(fromId: string, intoId: string, now: string, incidentUrl: (incidentId: string) => string): void {
    const from = this.records.get(fromId);
    const into = this.records.get(intoId);
    if (!from || !into || fromId === intoId) throw new Error(`cannot merge incident ${fromId} into ${intoId}`);
    this.cached = undefined;
    const moved = this.alertsOf(fromId);
    from.severity = highestSeverity(moved);
    from.displayName = moved.length > 0 ? incidentName(moved) : from.displayName;
    from.status = 'redirected';
    from.redirectIncidentId = intoId;
    from.lastUpdateDateTime = now;
    into.lastUpdateDateTime = now;
    if (into.status === 'resolved' && moved.some((a) => a.status !== 'resolved')) into.status = 'active';
    for (const alert of moved) this.saveAlert({ ...alert, incidentId: intoId, incidentWebUrl: incidentUrl(intoId), lastUpdateDateTime: now });
  }
}

/** An incident's alerts newest first, as Graph lists them. */
export function sortedAlerts(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime) || a.id.localeCompare(b.id));
}

/** The properties `$filter` may use, without building the rest of the incident. */
export function filterFields(view: IncidentView): Record<string, unknown> {
  const { record, alerts } = view;
  return {
    severity: alerts.length > 0 ? highestSeverity(alerts) : record.severity,
    status: record.status,
    assignedTo: record.assignedTo,
    classification: record.classification,
    determination: record.determination,
    createdDateTime: record.createdDateTime,
    lastUpdateDateTime: alerts.reduce((at, a) => later(at, a.lastUpdateDateTime), record.lastUpdateDateTime),
  };
}

/** The incident as Graph serves it (before evolvable enums are hidden): its record, with severity, name and last update from its alerts. */
export function presentIncident(view: IncidentView, tenantId: string, incidentUrl: string): Record<string, unknown> {
  const { record, alerts } = view;
  const lastUpdate = alerts.reduce((at, a) => later(at, a.lastUpdateDateTime), record.lastUpdateDateTime);
  const categories = [...new Set(alerts.map((a) => a.category).filter((c): c is string => Boolean(c)))];
  return {
    id: record.id,
    incidentWebUrl: incidentUrl,
    tenantId,
    redirectIncidentId: record.redirectIncidentId,
    displayName: record.displayName ?? (alerts.length > 0 ? incidentName(alerts) : `Incident ${record.id}`),
    description: alerts.length > 0 ? `${alerts.length} correlated alert${alerts.length === 1 ? '' : 's'}: ${categories.map(words).join(', ') || 'uncategorised'}.` : null,
    createdDateTime: record.createdDateTime,
    lastUpdateDateTime: lastUpdate,
    assignedTo: record.assignedTo,
    classification: record.classification,
    determination: record.determination,
    status: record.status,
    severity: alerts.length > 0 ? highestSeverity(alerts) : record.severity,
    customTags: [...record.customTags],
    systemTags: [...record.systemTags],
    comments: structuredClone(record.comments),
  };
}
